import NIOCore

/// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
/// §3.1): RTPFB (PT 205), FMT 15. Reports, for a range of transport-wide sequence numbers,
/// which packets arrived and when.
///
///     | base sequence number | packet status count |
///     | reference time (24, ×64 ms) | fb pkt count (8) |
///     | packet status chunks (16 bits each) ... | receive deltas (8 or 16 bits) ... | padding
///
/// `parse` validates the whole body (every chunk, a delta for every received packet) without
/// allocating; `forEachPacket` decodes it. `write` encodes one.
public struct RTCPTransportFeedback: Hashable, Sendable, RTCPWritable {
    /// FMT value of transport-wide feedback.
    public static let format: UInt8 = 15
    /// Receive deltas are in units of 250 µs; the reference time in units of 64 ms.
    public static let deltaUnitMicroseconds: Int64 = 250
    public static let referenceTimeUnitMicroseconds: Int64 = 64_000
    /// Most packets one feedback may report (a limit on the work one RTCP packet causes; Chromium
    /// reports a few hundred at most).
    public static let maximumPacketStatusCount: UInt16 = 8192

    /// Packet status symbols (§3.1.1).
    public enum Status: UInt8, Sendable {
        case notReceived = 0
        case smallDelta = 1
        case largeDelta = 2
    }

    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    /// Transport-wide sequence number of the first packet reported.
    public var baseSequenceNumber: UInt16
    /// Number of packets reported.
    public var packetStatusCount: UInt16
    /// 24-bit signed reference time in multiples of 64 ms.
    public var referenceTime: Int32
    /// Feedback packet counter (8 bits, wraps).
    public var feedbackPacketCount: UInt8
    /// Status chunks and receive deltas as received (validated by `parse`).
    public var chunks: ByteBuffer

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, baseSequenceNumber: UInt16, packetStatusCount: UInt16,
                referenceTime: Int32, feedbackPacketCount: UInt8, chunks: ByteBuffer) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.baseSequenceNumber = baseSequenceNumber
        self.packetStatusCount = packetStatusCount
        self.referenceTime = referenceTime
        self.feedbackPacketCount = feedbackPacketCount
        self.chunks = chunks
    }

    static func parse(body: ByteBuffer) throws(RTPPacketError) -> RTCPTransportFeedback {
        let at = body.readerIndex
        guard let sender = body.getInteger(at: at, as: UInt32.self),
              let media = body.getInteger(at: at + 4, as: UInt32.self),
              let base = body.getInteger(at: at + 8, as: UInt16.self),
              let count = body.getInteger(at: at + 10, as: UInt16.self),
              let word = body.getInteger(at: at + 12, as: UInt32.self),
              let chunks = body.getSlice(at: at + 16, length: body.readableBytes - 16)
        else { throw RTPPacketError(.badBody, "transport-cc feedback needs 16 bytes") }
        guard count <= maximumPacketStatusCount else {
            throw RTPPacketError(.badBody, "transport-cc feedback reports \(count) packets, at most \(maximumPacketStatusCount)")
        }
        var feedback = RTCPTransportFeedback(senderSSRC: sender, mediaSSRC: media, baseSequenceNumber: base,
                                             packetStatusCount: count,
                                             referenceTime: Int32(bitPattern: word) >> 8,
                                             feedbackPacketCount: UInt8(truncatingIfNeeded: word), chunks: chunks)
        guard let used = feedback.walk({ _, _ in }) else {
            throw RTPPacketError(.badBody, "transport-cc feedback: chunks or deltas do not fit \(chunks.readableBytes) bytes")
        }
        // Without the zero bytes that pad the packet to 32 bits.
        feedback.chunks = chunks.getSlice(at: chunks.readerIndex, length: used) ?? chunks
        return feedback
    }

    /// Calls `body` for every reported packet in sequence order with its transport-wide sequence
    /// number and, when it arrived, its arrival time in µs on the receiver's clock (reference
    /// time + the deltas so far; only differences are meaningful).
    public func forEachPacket(_ body: (UInt16, Int64?) -> Void) {
        _ = walk(body)
    }

    /// The reported packets as (sequence number, arrival µs) pairs (tests, diagnostics).
    public var packets: [(sequenceNumber: UInt16, arrival: Int64?)] {
        var result: [(sequenceNumber: UInt16, arrival: Int64?)] = []
        forEachPacket { result.append(($0, $1)) }
        return result
    }

    /// Decodes chunks then deltas; the bytes they take, nil when they do not fit or a symbol is
    /// reserved.
    private func walk(_ body: (UInt16, Int64?) -> Void) -> Int? {
        let start = chunks.readerIndex
        let end = start + chunks.readableBytes
        // Pass 1: where the deltas start.
        var offset = start
        var remaining = Int(packetStatusCount)
        while remaining > 0 {
            guard offset + 2 <= end, let chunk = chunks.getInteger(at: offset, as: UInt16.self) else { return nil }
            offset += 2
            remaining -= min(remaining, Self.symbolCount(chunk))
        }
        // Pass 2: symbols with their deltas.
        var deltaOffset = offset
        var chunkOffset = start
        var sequence = baseSequenceNumber
        var time = Int64(referenceTime) * Self.referenceTimeUnitMicroseconds
        remaining = Int(packetStatusCount)
        while remaining > 0 {
            let chunk = chunks.getInteger(at: chunkOffset, as: UInt16.self) ?? 0
            chunkOffset += 2
            let count = min(remaining, Self.symbolCount(chunk))
            for index in 0..<count {
                let symbol = Self.symbol(chunk, index)
                switch symbol {
                case 0:
                    body(sequence, nil)
                case 1:
                    guard let delta = chunks.getInteger(at: deltaOffset, as: UInt8.self), deltaOffset + 1 <= end
                    else { return nil }
                    deltaOffset += 1
                    time += Int64(delta) * Self.deltaUnitMicroseconds
                    body(sequence, time)
                case 2:
                    guard deltaOffset + 2 <= end, let delta = chunks.getInteger(at: deltaOffset, as: Int16.self)
                    else { return nil }
                    deltaOffset += 2
                    time += Int64(delta) * Self.deltaUnitMicroseconds
                    body(sequence, time)
                default:
                    return nil
                }
                sequence &+= 1
            }
            remaining -= count
        }
        return deltaOffset - start
    }

    /// Symbols a chunk carries: run length, 14 one-bit or 7 two-bit symbols (§3.1.3, §3.1.4).
    static func symbolCount(_ chunk: UInt16) -> Int {
        if chunk & 0x8000 == 0 { return Int(chunk & 0x1FFF) }
        return chunk & 0x4000 == 0 ? 14 : 7
    }

    static func symbol(_ chunk: UInt16, _ index: Int) -> UInt8 {
        if chunk & 0x8000 == 0 { return UInt8((chunk >> 13) & 0x03) }
        if chunk & 0x4000 == 0 { return UInt8((chunk >> (13 - index)) & 0x01) }
        return UInt8((chunk >> (12 - 2 * index)) & 0x03)
    }

    public func write(to buffer: inout ByteBuffer) {
        let length = 16 + chunks.readableBytes
        let padded = (length + 3) & ~3
        RTCPHeader.write(count: Self.format, type: .transportFeedback, bodyLength: padded, to: &buffer)
        buffer.writeInteger(senderSSRC)
        buffer.writeInteger(mediaSSRC)
        buffer.writeInteger(baseSequenceNumber)
        buffer.writeInteger(packetStatusCount)
        buffer.writeInteger(UInt32(bitPattern: referenceTime << 8) | UInt32(feedbackPacketCount))
        buffer.writeImmutableBuffer(chunks)
        buffer.writeRepeatingByte(0, count: padded - length)
    }
}

extension RTCPTransportFeedback {
    /// Encodes `statuses` (one per packet from the base sequence number) and the deltas of the
    /// received ones (250 µs units; small: 0…255, large: Int16) as status chunks followed by
    /// deltas, into `out` (appended). Run-length chunks for runs of 14 or more, else one-bit
    /// vectors when the next 14 symbols are all 0/1, else two-bit vectors.
    public static func encodeChunks(statuses: [Status], deltas: [Int16], into out: inout ByteBuffer) {
        var index = 0
        while index < statuses.count {
            let symbol = statuses[index]
            var run = 1
            while index + run < statuses.count, statuses[index + run] == symbol, run < 0x1FFF { run += 1 }
            if run >= 14 || index + run == statuses.count && run >= 7 {
                out.writeInteger(UInt16(symbol.rawValue) << 13 | UInt16(run))
                index += run
                continue
            }
            let oneBit = statuses[index..<min(index + 14, statuses.count)].allSatisfy { $0 != .largeDelta }
            var chunk: UInt16 = oneBit ? 0x8000 : 0xC000
            let width = oneBit ? 14 : 7
            for slot in 0..<width where index + slot < statuses.count {
                let value = UInt16(statuses[index + slot].rawValue)
                chunk |= oneBit ? value << (13 - slot) : value << (12 - 2 * slot)
            }
            out.writeInteger(chunk)
            index += width
        }
        var next = 0
        for status in statuses where status != .notReceived {
            let delta = deltas[next]
            next += 1
            if status == .smallDelta {
                out.writeInteger(UInt8(clamping: delta))
            } else {
                out.writeInteger(delta)
            }
        }
    }
}
