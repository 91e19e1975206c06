import Crypto
import Foundation
import NIOCore

/// `hello` and `helloAck` (docs/cascade.md): how two edges open a relay link for one call.
/// Authenticated with HMAC-SHA256 under a key derived from the cluster secret every node of a
/// deployment shares (`cluster.secret`); the link's SRTP and state keys are then derived from
/// that secret and both fresh nonces (`RelayKeys`), so no key ever crosses the wire.
///
/// Layout after the datagram header: sender link id (4), nonce (16), echoed nonce (16, zero in a
/// hello), time (8, ms since 1970), sender instance (8), call length (2) + call (UTF-8), then the
/// HMAC (32) over the header and everything before it.
public struct RelayHello: Hashable, Sendable {
    public var senderLinkID: UInt32
    public var nonce: [UInt8]
    /// The hello's nonce, in an ack.
    public var echoedNonce: [UInt8]
    public var timeMilliseconds: UInt64
    /// The sending relay server's random id (glare: the lower one stays initiator).
    public var instance: UInt64
    /// The call (its channel id).
    public var call: String

    public static let nonceLength = 16
    public static let maximumCallLength = 256
    static let macLength = 32

    public init(senderLinkID: UInt32, nonce: [UInt8], echoedNonce: [UInt8] = Array(repeating: 0, count: 16),
                timeMilliseconds: UInt64, instance: UInt64, call: String) {
        self.senderLinkID = senderLinkID
        self.nonce = nonce
        self.echoedNonce = echoedNonce
        self.timeMilliseconds = timeMilliseconds
        self.instance = instance
        self.call = call
    }

    /// Writes header, body and MAC.
    public func write(kind: RelayDatagram.Kind, receiverLinkID: UInt32, key: SymmetricKey, to buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        RelayDatagram(kind: kind, linkID: receiverLinkID).write(to: &buffer)
        buffer.writeInteger(senderLinkID)
        buffer.writeBytes(nonce)
        buffer.writeBytes(echoedNonce)
        buffer.writeInteger(timeMilliseconds)
        buffer.writeInteger(instance)
        let call = Array(call.utf8.prefix(Self.maximumCallLength))
        buffer.writeInteger(UInt16(call.count))
        buffer.writeBytes(call)
        let mac = buffer.withUnsafeReadableBytes { bytes in
            Array(HMAC<SHA256>.authenticationCode(for: UnsafeRawBufferPointer(rebasing: bytes[(start - buffer.readerIndex)...]),
                                                  using: key))
        }
        buffer.writeBytes(mac)
    }

    /// Parses and authenticates a hello whose whole datagram (header included) is `datagram`
    /// with its reader index past the header; nil when malformed or the MAC is wrong.
    public static func parse(datagram: ByteBuffer, key: SymmetricKey) -> RelayHello? {
        var body = datagram
        let headerStart = body.readerIndex - RelayDatagram.headerLength
        guard headerStart >= 0, body.readableBytes >= 4 + 32 + 16 + 2 + macLength,
              let sender = body.readInteger(as: UInt32.self),
              let nonce = body.readBytes(length: nonceLength),
              let echoed = body.readBytes(length: nonceLength),
              let time = body.readInteger(as: UInt64.self),
              let instance = body.readInteger(as: UInt64.self),
              let length = body.readInteger(as: UInt16.self), Int(length) <= maximumCallLength,
              let call = body.readString(length: Int(length)),
              body.readableBytes == macLength
        else { return nil }
        let signedLength = body.readerIndex - headerStart
        var whole = datagram
        whole.moveReaderIndex(to: headerStart)
        // (get* reads only within the readable bytes: the header is before the reader index.)
        guard let signed = whole.getBytes(at: headerStart, length: signedLength),
              let mac = body.readBytes(length: macLength),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: key)
        else { return nil }
        return RelayHello(senderLinkID: sender, nonce: nonce, echoedNonce: echoed, timeMilliseconds: time,
                          instance: instance, call: call)
    }

    public static func randomNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<nonceLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
