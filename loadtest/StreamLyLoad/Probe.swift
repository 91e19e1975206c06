import ArgumentParser
import NIOCore
import StreamLyProtocol

// TEMPORARY probe, to be deleted.
struct FakeAuth: LinkAuthenticator {
    var methods: LinkAuthMethods = .clusterSecret
    func proof(_ side: LinkAuthSide, context: LinkAuthContext) -> [UInt8] { side == .client ? [1] : [2] }
    func verify(_ proof: [UInt8], of side: LinkAuthSide, context: LinkAuthContext) -> Bool { true }
}

struct Probe: ParsableCommand {
    func run() throws {
        for offset in [0, 10, 16, 64] {
            let body = ByteBuffer(repeating: 0x5A, count: 65_536)
            var buffer = ByteBuffer()
            buffer.reserveCapacity(65_536 + 1_024)
            let n = 200_000
            let t0 = nowNanos()
            var sum = 0
            for _ in 0..<n {
                buffer.clear()
                buffer.moveWriterIndex(forwardBy: offset)
                buffer.moveReaderIndex(forwardBy: offset)
                buffer.writeImmutableBuffer(body)
                sum &+= buffer.readSlice(length: 65_536)!.readableBytes
            }
            let dt = Double(nowNanos() - t0) / 1e9
            print("memcpy 64 KiB at offset \(offset): \(String(format: "%.1f", Double(n) * 65536 / dt / 1e9)) GB/s \(sum > 0)")
        }
        for open in [0, 63, 255, 1023] {
            let now = NIODeadline.uptimeNanoseconds(1)
            var client = LinkConnectionStateMachine(configuration: .init(nodeID: "c", role: .edge, isInitiator: true, authenticator: FakeAuth()))
            var server = LinkConnectionStateMachine(configuration: .init(nodeID: "s", role: .origin, isInitiator: false, authenticator: FakeAuth()))
            _ = server.start(nonce: Array(repeating: 2, count: 32), now: now)
            var toServer = client.start(nonce: Array(repeating: 1, count: 32), now: now)
            while let f = toServer {
                toServer = nil
                var reply: LinkFrame?
                switch server.receive(f, now: now) { case .send(let r): reply = r; case .established(_, let r): reply = r; default: break }
                guard let reply else { break }
                if case .send(let r) = client.receive(reply, now: now) { toServer = r }
            }
            precondition(client.isActive && server.isActive)
            for _ in 0..<open { _ = try client.openStream() }
            let n = 100_000
            var t = [UInt64](repeating: 0, count: 4)
            for _ in 0..<n {
                var a = nowNanos()
                let id = try client.openStream()
                var b = nowNanos(); t[0] += b - a; a = b
                client.sent(bodyBytes: 64, on: id, endStream: true)
                b = nowNanos(); t[1] += b - a; a = b
                _ = client.receive(.response(.init(streamID: id, status: 200, endStream: false)), now: now)
                b = nowNanos(); t[2] += b - a; a = b
                _ = client.receive(.data(.init(streamID: id, body: ByteBuffer(), endStream: true)), now: now)
                b = nowNanos(); t[3] += b - a
            }
            let dt = Double(t.reduce(0, +)) / Double(n)
            print("  open \(t[0] / UInt64(n)) ns, sent \(t[1] / UInt64(n)) ns, receive RESPONSE \(t[2] / UInt64(n)) ns, receive DATA(end) \(t[3] / UInt64(n)) ns")
            print("client state machine, \(open) other streams open: \(String(format: "%.0f", dt)) ns per request (open+sent+response+data)")
        }
    }
}
