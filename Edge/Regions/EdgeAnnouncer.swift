import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import StreamLyAPI
import StreamLyEdgeDirectory
import StreamLyLink
import StreamLyRetry

/// Keeps this edge in the edge directory: announces it (region, public addresses, load,
/// draining, hosted calls) to an origin every `directory.announce.ms`, and at once when its
/// calls change, and replaces `EdgeDirectory`'s view with each answer. On shutdown it announces
/// `draining` and then withdraws, so the others stop routing here before the listeners close.
struct EdgeAnnouncer: Service {
    let directory: EdgeDirectory
    let pool: LinkPool
    let configuration: RegionConfiguration
    /// This edge's addresses, as announced.
    let httpURL: String?
    let httpsURL: String?
    /// The WebRTC addresses (`udp host:port`, `tcp host:port`), read at each announcement
    /// (the media server learns its port once bound).
    let webrtc: @Sendable () -> [String]
    /// Open WebSocket connections, read at each announcement.
    let connections: @Sendable () -> Int
    let logger: Logger
    /// Largest directory answer read.
    static let maxAnswerBytes = 4 << 20

    func run() async throws {
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        directory.onLocalChange { wake.yield() }
        await WakeLoop.run(every: configuration.announceInterval, wakes: wakes, wake: wake) { await announceOnce() }
        // Leaving: others stop routing here at once; then the entry goes.
        directory.draining = true
        await announceOnce()
        _ = try? await withDeadline(.seconds(2)) { [pool, directory] in
            let body = try JSONEncoder().encode(EdgeDirectoryLinkBodies.Withdrawal(id: directory.localID))
            _ = try await pool.request(EdgeDirectoryLink.Method.withdraw, metadata: [:], body: ByteBuffer(bytes: body))
        }
    }

    /// This edge as it announces itself now.
    func announcement() -> EdgeDirectoryLinkBodies.Announcement {
        EdgeDirectoryLinkBodies.Announcement(
            id: directory.localID, region: directory.region, httpURL: httpURL, httpsURL: httpsURL,
            webrtc: Array(webrtc().prefix(EdgeDirectoryLinkBodies.Announcement.maxAddresses)),
            relay: directory.relayAddress,
            load: .init(connections: connections(), participants: directory.localParticipants),
            draining: directory.draining,
            calls: Array(directory.hostedCalls.keys.sorted().prefix(EdgeDirectoryLinkBodies.Announcement.maxCalls)),
            ttlMS: Int(configuration.ttl / .milliseconds(1)))
    }

    /// One announcement; the answer replaces the directory. A failure leaves the old view to expire.
    func announceOnce() async {
        let announcement = announcement()
        let sent = ContinuousClock.now
        do {
            let answer = try await withDeadline(configuration.announceInterval * 2) { [pool] in
                let response = try await pool.request(EdgeDirectoryLink.Method.announce, metadata: [:],
                                                      body: ByteBuffer(bytes: try JSONEncoder().encode(announcement)))
                let body = try await response.body.collect(upTo: Self.maxAnswerBytes)
                guard response.status == 200 else {
                    throw AnnounceError(message: "origin answered \(response.status): \(String(buffer: body))")
                }
                return try JSONDecoder().decode(EdgeDirectoryLinkBodies.Directory.self, from: Data(body.readableBytesView))
            }
            // Expiries counted from when the request left: never later than the origins meant.
            directory.replace(with: answer.edges.map { EdgeInfo($0, receivedAt: sent) })
        } catch {
            logger.debug("edge announcement failed", metadata: ["error": "\(error)"])
            directory.sweep()
        }
    }

    struct AnnounceError: Error {
        var message: String
    }
}

extension EdgeInfo {
    /// A directory entry from the origins, its expiry on this process's clock.
    init(_ entry: EdgeDirectoryLinkBodies.Entry, receivedAt: ContinuousClock.Instant) {
        let edge = entry.edge
        self.init(id: edge.id, region: edge.region, httpURL: edge.httpURL, httpsURL: edge.httpsURL, webrtc: edge.webrtc,
                  relay: edge.relay, connections: edge.load.connections, participants: edge.load.participants,
                  draining: edge.draining, calls: Set(edge.calls), expires: receivedAt + .milliseconds(entry.expiresInMS))
    }
}
