import Crypto
import Foundation
import NIOCore

/// What one edge tells the other about a call over their link (JSON, sealed with AES-128-GCM:
/// `RelayState.seal`): the participants publishing on the sender (its local ones only: a
/// relayed track is never relayed again) with their tracks, and which layers of the receiver's
/// tracks the sender's subscribers need. Sent on every change and once a second (the keepalive);
/// each message replaces the previous one, so a lost one costs nothing.
public struct RelayState: Codable, Hashable, Sendable {
    public struct Track: Codable, Hashable, Sendable {
        /// The track id on the publishing edge.
        public var id: String
        public var kind: String
        public var source: TrackSource
        public var muted: Bool
        public var mid: String
        public var payloadType: UInt8
        public var codec: String
        public var clockRate: UInt32
        public var channels: UInt8?
        public var fmtp: String?
        public var rtxPayloadType: UInt8?
        public var rids: [String]
        /// Media SSRC per layer (0: not seen yet); relayed packets keep the publisher's SSRCs,
        /// sequence numbers and timestamps.
        public var ssrcs: [UInt32]
        /// Measured bits/s per layer on the publishing edge (the receiver chooses layers with them).
        public var bitrates: [UInt64]
        /// Header extension ids: mid, rid, repaired rid, audio level, abs-send-time.
        public var extensions: [UInt8]

        public init(id: String, kind: String, source: TrackSource, muted: Bool, mid: String, payloadType: UInt8, codec: String,
                    clockRate: UInt32, channels: UInt8?, fmtp: String?, rtxPayloadType: UInt8?, rids: [String], ssrcs: [UInt32],
                    bitrates: [UInt64], extensions: [UInt8]) {
            self.id = id
            self.kind = kind
            self.source = source
            self.muted = muted
            self.mid = mid
            self.payloadType = payloadType
            self.codec = codec
            self.clockRate = clockRate
            self.channels = channels
            self.fmtp = fmtp
            self.rtxPayloadType = rtxPayloadType
            self.rids = rids
            self.ssrcs = ssrcs
            self.bitrates = bitrates
            self.extensions = extensions
        }
    }

    public struct Participant: Codable, Hashable, Sendable {
        public var id: String
        public var user: String
        public var tracks: [Track]

        public init(id: String, user: String, tracks: [Track]) {
            self.id = id
            self.user = user
            self.tracks = tracks
        }
    }

    public var participants: [Participant]
    /// "participant/track" (ids on the receiving edge's side) → layers needed.
    public var wants: [String: [Int]]
    /// The sender is closing the link (its call ended): drop its tracks now.
    public var bye: Bool

    public init(participants: [Participant] = [], wants: [String: [Int]] = [:], bye: Bool = false) {
        self.participants = participants
        self.wants = wants
        self.bye = bye
    }

    /// The longest sealed state accepted.
    public static let maximumSealedLength = RelayDatagram.maximumLength - RelayDatagram.headerLength

    /// Writes the datagram: header, sequence number (8), AES-GCM nonce (12), ciphertext, tag (16);
    /// the header and sequence number are authenticated too. False when the state is too long.
    public func seal(receiverLinkID: UInt32, sequence: UInt64, key: SymmetricKey, into buffer: inout ByteBuffer) -> Bool {
        guard let json = try? JSONEncoder().encode(self), json.count + 36 <= Self.maximumSealedLength else { return false }
        var header = ByteBuffer()
        RelayDatagram(kind: .state, linkID: receiverLinkID).write(to: &header)
        header.writeInteger(sequence)
        let aad = Array(header.readableBytesView)
        guard let sealed = try? AES.GCM.seal(json, using: key, authenticating: aad), let combined = sealed.combined else {
            return false
        }
        buffer.writeBytes(aad)
        buffer.writeBytes(combined)
        return true
    }

    /// Opens a sealed state whose datagram is `datagram` (reader index past the header):
    /// its sequence number and state, or nil when it does not authenticate or decode.
    public static func open(datagram: ByteBuffer, key: SymmetricKey) -> (sequence: UInt64, state: RelayState)? {
        var body = datagram
        let headerStart = body.readerIndex - RelayDatagram.headerLength
        guard headerStart >= 0 else { return nil }
        var whole = datagram
        whole.moveReaderIndex(to: headerStart)
        guard let sequence = body.readInteger(as: UInt64.self), body.readableBytes >= 28,
              let aad = whole.getBytes(at: headerStart, length: RelayDatagram.headerLength + 8),
              let combined = body.readBytes(length: body.readableBytes),
              let box = try? AES.GCM.SealedBox(combined: combined),
              let json = try? AES.GCM.open(box, using: key, authenticating: aad),
              let state = try? JSONDecoder().decode(RelayState.self, from: json)
        else { return nil }
        return (sequence, state)
    }
}
