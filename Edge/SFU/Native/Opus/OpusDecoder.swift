internal import COpus

/// A libopus decoder (RFC 6716) producing interleaved 16-bit PCM.
///
/// Not thread-safe: a decoder carries state from packet to packet and belongs to one stream.
public final class OpusDecoder {
    /// Output sample rate in Hz.
    public let sampleRate: Int
    /// Number of interleaved output channels (1 or 2).
    public let channels: Int

    /// The OpusDecoder*.
    private let decoder: OpaquePointer

    /// Creates a decoder.
    /// - Parameters:
    ///   - sampleRate: 8000, 12000, 16000, 24000 or 48000.
    ///   - channels: 1 or 2; any Opus stream can be decoded to either.
    public init(sampleRate: Int = 48_000, channels: Int) throws {
        guard let rate = Int32(exactly: sampleRate), let count = Int32(exactly: channels) else {
            throw MediaNativeError.opus(OPUS_BAD_ARG, "opus_decoder_create")
        }
        var status: Int32 = OPUS_OK
        guard let decoder = opus_decoder_create(rate, count, &status), status == OPUS_OK else {
            throw MediaNativeError.opus(status, "opus_decoder_create")
        }
        self.sampleRate = sampleRate
        self.channels = channels
        self.decoder = decoder
    }

    deinit {
        opus_decoder_destroy(decoder)
    }

    /// The most samples per channel one packet can hold: 120 ms.
    private var maximumFrameSize: Int { sampleRate * 120 / 1000 }

    /// Decodes one Opus packet into interleaved PCM (`frameSize * channels` samples).
    /// Throws `.opus` ("corrupted stream") for packets libopus rejects.
    public func decode(_ packet: [UInt8]) throws -> [Int16] {
        guard !packet.isEmpty else {
            throw MediaNativeError(code: .invalidArgument, message: "empty Opus packet; use concealLoss(frameSize:)")
        }
        return try run(packet, frameSize: maximumFrameSize)
    }

    /// Produces `frameSize` samples per channel of packet-loss concealment for a lost packet.
    public func concealLoss(frameSize: Int) throws -> [Int16] {
        try run(nil, frameSize: frameSize)
    }

    private func run(_ packet: [UInt8]?, frameSize: Int) throws -> [Int16] {
        var pcm = [Int16](repeating: 0, count: frameSize * channels)
        let samples: Int32
        if let packet {
            samples = opus_decode(decoder, packet, Int32(clamping: packet.count), &pcm, Int32(clamping: frameSize), 0)
        } else {
            samples = opus_decode(decoder, nil, 0, &pcm, Int32(clamping: frameSize), 0)
        }
        guard samples >= 0 else { throw MediaNativeError.opus(samples, "opus_decode") }
        pcm.removeLast(pcm.count - Int(samples) * channels)
        return pcm
    }
}
