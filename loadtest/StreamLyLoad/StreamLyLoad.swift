import ArgumentParser

/// `streamly-load`: load generators and benchmarks for StreamLy. Each workload is a
/// subcommand; `proto` measures the inter-tier protocol,
/// `chat` WebSocket chat delivery through running edges, `transcode` the HLS ladder against
/// the ffmpeg CLI, `hls` HLS segment delivery from an edge against nginx, `vod` time-to-ready
/// of an upload, `rtc-transport` the SFU's media transport with an echoing edge, `rtc` group calls
/// through an edge's SFU against Janus, `abuse` attacks on a running edge while a well-behaved
/// client chats and streams, `netem` the userspace link emulator between network namespaces
/// (infra/regions.sh).
@main
struct StreamLyLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "streamly-load",
        abstract: "Load tests and benchmarks for StreamLy.",
        subcommands: [ProtoBenchmark.self, ChatLoad.self, TranscodeBenchmark.self, HLSBenchmark.self,
                      VODReadyBenchmark.self, RTCTransportBenchmark.self, RTCLoadCommand.self, AbuseCommand.self,
                      NetemCommand.self]
    )
}
