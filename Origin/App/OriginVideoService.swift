import ServiceLifecycle

/// Runs the transcode workers and the video-event fan-out until shutdown, which stops a
/// running job at once (another worker redoes it) and leaves the consumer groups.
struct OriginVideoService: Service {
    let video: VideoFeature

    func run() async throws {
        await cancelWhenGracefulShutdown { await video.run() }
        await video.close()
    }
}
