import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import StreamLySFU
import StreamLySFUNative
#if canImport(Glibc)
import Glibc
#endif

/// `streamly-load rtc-transport`: the edge's media transport alone (no call model): synthetic
/// peers over loopback connect with real ICE-lite checks, DTLS and SRTP, send RTP at a fixed
/// rate, and the edge echoes every packet (unprotect → rewrite SSRC → protect → send). Prints
/// echoed packets/s, loss, round trip p50/p99 and the edge thread's CPU, on one edge loop.
struct RTCTransportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtc-transport",
        abstract: "Benchmark the SFU media transport (ICE-lite, DTLS-SRTP, UDP) with an echoing edge.",
        discussion: """
            The edge (MediaServer + transports) runs on one event loop thread, the peers on \
            another. Packets per edge CPU-second counts each echoed packet twice (in and out). \
            Build with -c release for meaningful figures.
            """
    )

    @Option(help: "Synthetic peers (each one transport).")
    var peers: Int = 20

    @Option(help: "RTP packets per second each peer sends.")
    var rate: Int = 500

    @Option(help: "RTP payload bytes (8 of them carry the send time).")
    var payload: Int = 1000

    @Option(help: "Measured seconds.")
    var seconds: Double = 10

    @Option(help: "Warm-up seconds.")
    var warmup: Double = 2

    func validate() throws {
        guard (1...5_000).contains(peers) else { throw ValidationError("--peers must be in 1...5000") }
        guard (1...100_000).contains(rate) else { throw ValidationError("--rate must be in 1...100000") }
        guard (8...1_200).contains(payload) else { throw ValidationError("--payload must be in 8...1200") }
        guard seconds > 0, warmup >= 0 else { throw ValidationError("--seconds must be > 0 and --warmup >= 0") }
    }

    func run() async throws {
        var logger = Logger(label: "streamly.load.rtc")
        logger.logLevel = .warning
        let edgeGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let peerGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let edgeLoop = edgeGroup.next()
        let server = try MediaServer(configuration: MediaServerConfiguration(host: "127.0.0.1", port: 0,
                                                                             announcedIPs: ["127.0.0.1"]),
                                     group: edgeGroup, logger: logger)
        try await server.start()
        let bound = server.localAddress
        let serverAddress = try SocketAddress(ipAddress: "\(bound.ip)", port: Int(bound.port))
        let certificate = try SelfSignedCertificate()
        let peerLoop = peerGroup.next()

        var handlers: [NIOLoopBound<(peer: RTCLoadPeer<RTCEchoMedia>, media: RTCEchoMedia)>] = []
        var channels: [any Channel] = []
        var delegates: [NIOLoopBound<RTCEchoDelegate>] = []  // transports hold them weakly
        let peerCredentials = IceCredentials(ufrag: "load", password: "load-peer-password-0123456")
        for index in 0..<peers {
            let ssrc = UInt32(0x1000 + index)
            let (transport, delegate) = try await edgeLoop.submit {
                let transport = server.makeTransport(on: edgeLoop)
                let delegate = RTCEchoDelegate(ssrc: ssrc | 0x8000_0000)
                transport.delegate = delegate
                transport.start(remote: RemoteTransportParameters(
                    ufrag: peerCredentials.ufrag, password: peerCredentials.password,
                    fingerprints: [SDPFingerprint(hashFunction: "sha-256", value: certificate.sha256Fingerprint)],
                    setup: .active))
                return (NIOLoopBound(transport, eventLoop: edgeLoop), NIOLoopBound(delegate, eventLoop: edgeLoop))
            }.get()
            delegates.append(delegate)
            let local = try await edgeLoop.submit { transport.value.local }.get()
            let ready = peerLoop.makePromise(of: Void.self)
            let payload = self.payload
            let channel = try await DatagramBootstrap(group: peerLoop)
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(try RTCLoadPeer(
                            server: serverAddress, remote: local.ice, local: peerCredentials, role: .client,
                            certificate: certificate, media: RTCEchoMedia(ssrc: ssrc, payloadBytes: payload), ready: ready))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            try await ready.futureResult.get()
            let handler = try await peerLoop.submit {
                let peer = try channel.pipeline.syncOperations.handler(type: RTCLoadPeer<RTCEchoMedia>.self)
                return NIOLoopBound((peer: peer, media: peer.media), eventLoop: peerLoop)
            }.get()
            handlers.append(handler)
            channels.append(channel)
        }

        let window = MeasurementWindow(warmup: warmup, seconds: seconds)
        let tick = TimeAmount.milliseconds(10)
        let peersToDrive = handlers
        let rate = Double(self.rate)
        // Packets owed per peer: grows with the elapsed time, so late ticks do not lower the rate.
        let credit = NIOLoopBoundBox.makeBoxSendingValue((owed: 0.0, last: nowNanos()), eventLoop: peerLoop)
        let sending = try await peerLoop.submit {
            for handler in peersToDrive { handler.value.media.window = window }
            return peerLoop.scheduleRepeatedTask(initialDelay: .zero, delay: tick) { _ in
                let now = nowNanos()
                // At most two ticks owed: a peer loop that cannot keep up offers less (and says
                // so) instead of sending ever larger bursts that starve its own reads.
                credit.value.owed = min(credit.value.owed + rate * Double(now - credit.value.last) / 1e9, rate / 50)
                credit.value.last = now
                let burst = Int(credit.value.owed)
                credit.value.owed -= Double(burst)
                for handler in peersToDrive { handler.value.media.sendBurst(burst, through: handler.value.peer) }
            }
        }.get()
        try await Task.sleep(for: .seconds(warmup))
        let cpuStart = try await edgeLoop.submit { Self.threadCPUSeconds() }.get()
        try await Task.sleep(for: .seconds(seconds))
        let cpuEnd = try await edgeLoop.submit { Self.threadCPUSeconds() }.get()
        sending.cancel()
        try await Task.sleep(for: .seconds(1))  // the tail of the window drains

        let (sent, received, latencies) = try await peerLoop.submit {
            var latencies = LatencyRecorder()
            for handler in peersToDrive { latencies.add(handler.value.media.latencies) }
            return (peersToDrive.map(\.value.media.sent).reduce(0, +), peersToDrive.map(\.value.media.received).reduce(0, +),
                    latencies)
        }.get()
        _ = delegates
        for channel in channels { try? await channel.close() }
        try await server.shutdown()
        try await edgeGroup.shutdownGracefully()
        try await peerGroup.shutdownGracefully()

        let cpu = cpuEnd - cpuStart
        let echoedPerSecond = Double(received) / window.seconds
        let loss = sent > 0 ? max(0, Double(sent - received) / Double(sent)) * 100 : 0
        print("rtc-transport: \(peers) peers × \(self.rate) packets/s, \(payload)-byte payloads, \(Int(window.seconds)) s measured")
        print(String(format: "  offered            %10.0f packets/s", Double(sent) / window.seconds))
        print(String(format: "  echoed             %10.0f packets/s (%.1f Mbit/s each way)", echoedPerSecond,
                     echoedPerSecond * Double(payload + 12 + 16) * 8 / 1e6))
        if Double(sent) < 0.95 * Double(peers * self.rate) * window.seconds {
            print("  (the peer loop could not offer the requested rate: the load generator, not the edge, is the limit)")
        }
        print(String(format: "  loss               %10.3f %%", loss))
        print(String(format: "  round trip p50     %10.0f µs", latencies.microseconds(atPercentile: 50)))
        print(String(format: "  round trip p99     %10.0f µs", latencies.microseconds(atPercentile: 99)))
        print(String(format: "  edge thread CPU    %10.1f %% of one core", cpu / window.seconds * 100))
        if cpu > 0 {
            print(String(format: "  edge packets per CPU-second %10.0f (in + out)", Double(2 * received) / cpu))
        }
    }

    /// CPU time (user + system) of the calling thread.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
