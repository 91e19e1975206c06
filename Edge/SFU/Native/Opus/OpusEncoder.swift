internal import COpus

/// A libopus encoder (RFC 6716) for interleaved 16-bit PCM.
///
/// Not thread-safe: an encoder carries state from frame to frame and belongs to one stream.
public final class OpusEncoder {
    /// The libopus coding mode.
    public enum Application: Sendable, Hashable {
        /// Speech-optimised (`OPUS_APPLICATION_VOIP`).
        case voip
        /// General audio and music (`OPUS_APPLICATION_AUDIO`).
        case audio
        /// Lowest delay, no speech modes (`OPUS_APPLICATION_RESTRICTED_LOWDELAY`).
        case restrictedLowDelay

        var rawValue: Int32 {
            switch self {
            case .voip: OPUS_APPLICATION_VOIP
            case .audio: OPUS_APPLICATION_AUDIO
            case .restrictedLowDelay: OPUS_APPLICATION_RESTRICTED_LOWDELAY
            }
        }
    }

    /// Input sample rate in Hz.
    public let sampleRate: Int
    /// Number of interleaved channels (1 or 2).
    public let channels: Int

    /// The OpusEncoder*.
    private let encoder: OpaquePointer

    /// The largest packet libopus produces for one frame (RFC 6716 §3.2.1).
    public static let maximumPacketSize = 1275

    /// Creates an encoder.
    /// - Parameters:
    ///   - sampleRate: 8000, 12000, 16000, 24000 or 48000 (WebRTC uses 48000).
    ///   - channels: 1 or 2.
    public init(sampleRate: Int = 48_000, channels: Int, application: Application = .audio) throws {
        guard let rate = Int32(exactly: sampleRate), let count = Int32(exactly: channels) else {
            throw MediaNativeError.opus(OPUS_BAD_ARG, "opus_encoder_create")
        }
        var status: Int32 = OPUS_OK
        guard let encoder = opus_encoder_create(rate, count, application.rawValue, &status), status == OPUS_OK else {
            throw MediaNativeError.opus(status, "opus_encoder_create")
        }
        self.sampleRate = sampleRate
        self.channels = channels
        self.encoder = encoder
    }

    deinit {
        opus_encoder_destroy(encoder)
    }

    /// Sets the target bitrate in bits per second (500...512000).
    public func setBitrate(_ bitsPerSecond: Int) throws {
        guard let value = Int32(exactly: bitsPerSecond) else {
            throw MediaNativeError.opus(OPUS_BAD_ARG, "OPUS_SET_BITRATE(\(bitsPerSecond))")
        }
        let status = streamly_opus_encoder_set_bitrate(encoder, value)
        guard status == OPUS_OK else { throw MediaNativeError.opus(status, "OPUS_SET_BITRATE(\(bitsPerSecond))") }
    }

    /// The current target bitrate in bits per second.
    public func bitrate() throws -> Int {
        var value: Int32 = 0
        let status = streamly_opus_encoder_get_bitrate(encoder, &value)
        guard status == OPUS_OK else { throw MediaNativeError.opus(status, "OPUS_GET_BITRATE") }
        return Int(value)
    }

    /// Enables or disables in-band forward error correction (RFC 6716 §2.1.7).
    public func setInbandFEC(_ enabled: Bool) throws {
        let status = streamly_opus_encoder_set_inband_fec(encoder, enabled ? 1 : 0)
        guard status == OPUS_OK else { throw MediaNativeError.opus(status, "OPUS_SET_INBAND_FEC") }
    }

    /// Tells the encoder the expected packet loss (0...100 percent), tuning FEC.
    public func setExpectedPacketLoss(percent: Int) throws {
        let status = streamly_opus_encoder_set_packet_loss_perc(encoder, Int32(clamping: percent))
        guard status == OPUS_OK else { throw MediaNativeError.opus(status, "OPUS_SET_PACKET_LOSS_PERC(\(percent))") }
    }

    /// Encodes one frame of interleaved PCM into one Opus packet.
    /// - Parameter pcm: `frameSize * channels` samples, where the frame lasts 2.5, 5, 10, 20,
    ///   40 or 60 ms (960 samples per channel for 20 ms at 48 kHz).
    public func encode(_ pcm: [Int16]) throws -> [UInt8] {
        guard !pcm.isEmpty, pcm.count.isMultiple(of: channels) else {
            throw MediaNativeError(
                code: .invalidArgument, message: "\(pcm.count) samples is not a whole frame of \(channels) channel(s)"
            )
        }
        let frameSize = Int32(clamping: pcm.count / channels)
        var packet = [UInt8](repeating: 0, count: Self.maximumPacketSize)
        let length = opus_encode(encoder, pcm, frameSize, &packet, Int32(packet.count))
        guard length > 0 else { throw MediaNativeError.opus(length, "opus_encode") }
        packet.removeLast(packet.count - Int(length))
        return packet
    }
}
