internal import CFFmpeg

/// The packet loop of a job: reads packets, decodes each stream once and fans decoded video
/// out to the rungs (with one keyframe decision per picture) and decoded audio into the shared
/// AAC encode. Damaged packets the decoder rejects are skipped, as the `ffmpeg` tool does; a
/// video that yields no picture at all is `.invalidMedia`. Which pictures are admitted and
/// which are keyframes, when to stop and what progress means are the caller's (`admit`,
/// `isKeyframe`, `checkContinue`, `reportProgress`): this type only drives the C objects.
/// Timestamp arithmetic is checked: a timestamp that does not fit is `.invalidMedia`.
package final class TranscodePipeline {
    private let source: TranscodeSource
    private let rungs: [VideoRungEncoder]
    private let audio: AudioTrackEncoder?
    private let poster: PosterWriter
    private let admit: (Double, Int, Int) throws -> Void
    private let isKeyframe: (Int64) throws -> Bool
    private let packet: FFmpegPacket
    private let frame: FFmpegFrame

    /// The first picture's timestamp (video time base): output time zero.
    private var origin: Int64?
    private var lastPts: Int64?
    private var pictures = 0

    /// - Parameters:
    ///   - admit: called once per picture before it is encoded, with its time in seconds
    ///     relative to the first picture and its size; throws to refuse the input.
    ///   - isKeyframe: called once per picture, in presentation order, with its pts relative to
    ///     the first picture (in the source's video time base): whether it must be an IDR frame.
    package init(source: TranscodeSource, rungs: [VideoRungEncoder], audio: AudioTrackEncoder?, poster: PosterWriter,
                 admit: @escaping (_ seconds: Double, _ width: Int, _ height: Int) throws -> Void,
                 isKeyframe: @escaping (Int64) throws -> Bool) throws {
        self.source = source
        self.rungs = rungs
        self.audio = audio
        self.poster = poster
        self.admit = admit
        self.isKeyframe = isKeyframe
        packet = try FFmpegPacket()
        frame = try FFmpegFrame()
    }

    /// Runs the packet loop to the end of the input.
    ///
    /// - Parameters:
    ///   - checkContinue: called before every packet; throws to stop.
    ///   - reportProgress: called per picture with its time and the input's duration, in seconds.
    package func run(checkContinue: () throws -> Void, reportProgress: (Double, Double?) -> Void) throws {
        while try source.input.read(into: packet) {
            defer { packet.unref() }
            try checkContinue()
            if packet.streamIndex == source.videoIndex {
                try decodeVideo(packet, reportProgress: reportProgress)
            } else if packet.streamIndex == source.audioIndex {
                try decodeAudio(packet)
            }
        }
        try decodeVideo(nil, reportProgress: reportProgress)
        if source.audioDecoder != nil { try decodeAudio(nil) }
        guard pictures > 0 else {
            throw OriginNativeError(code: .invalidMedia, message: "no video frame could be decoded")
        }
        for rung in rungs { try rung.flushVideo() }
        try audio?.encode(flush: true) { packet in for rung in rungs { try rung.write(audio: packet) } }
    }

    // MARK: Video

    private func decodeVideo(_ packet: FFmpegPacket?, reportProgress: (Double, Double?) -> Void) throws {
        try decode(packet, with: source.videoDecoder, "video") { try handlePicture(reportProgress: reportProgress) }
    }

    /// Sends a packet (nil: drain) and hands every frame the decoder yields to `handle`, with
    /// `frame` filled. Damaged data (`AVERROR_INVALIDDATA`) is skipped; other errors throw.
    private func decode(_ packet: FFmpegPacket?, with decoder: FFmpegCodecContext, _ label: String,
                        handle: () throws -> Void) throws {
        let sent = decoder.send(packet)
        if sent < 0, sent != FFmpeg.again, sent != FFmpeg.endOfFile, sent != FFmpeg.invalidData {
            try FFmpeg.check(sent, "avcodec_send_packet(\(label))")
        }
        while true {
            let received = avcodec_receive_frame(decoder.pointer, frame.pointer)
            if received == FFmpeg.again || received == FFmpeg.endOfFile { return }
            if received == FFmpeg.invalidData { continue }
            try FFmpeg.check(received, "avcodec_receive_frame(\(label))")
            defer { frame.unref() }
            try handle()
        }
    }

    private func handlePicture(reportProgress: (Double, Double?) -> Void) throws {
        let timeBase = source.videoTimeBase
        let timestamp: Int64
        if let value = frame.bestEffortTimestamp {
            timestamp = value
        } else {
            // No timestamp at all (raw elementary streams): one frame duration after the last.
            let step = av_rescale_q(1, AVRational(num: source.frameRate.den, den: source.frameRate.num), timeBase)
            let last = try Self.checked((lastPts ?? 0).addingReportingOverflow(origin ?? 0))
            timestamp = try Self.checked(last.addingReportingOverflow(max(step, 1)))
        }
        if origin == nil {
            origin = timestamp
            audio?.start(videoOriginSeconds: FFmpeg.seconds(timestamp, timeBase))
        }
        let pts = try Self.checked(timestamp.subtractingReportingOverflow(origin ?? 0))
        if let lastPts, pts <= lastPts { return }  // Not after the previous picture: drop it.
        let seconds = FFmpeg.seconds(pts, timeBase)
        try admit(seconds, Int(frame.width), Int(frame.height))
        lastPts = pts
        pictures += 1

        frame.pointer.pointee.pts = pts
        frame.pointer.pointee.pict_type = try isKeyframe(pts) ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE
        for rung in rungs { try rung.encode(frame) }
        try poster.consider(frame, seconds: seconds)
        reportProgress(seconds, source.duration)
        if origin != nil { try encodeAudio() }
    }

    /// The value of a checked operation, or `.invalidMedia` when it overflowed.
    private static func checked(_ result: (partialValue: Int64, overflow: Bool)) throws -> Int64 {
        guard !result.overflow else {
            throw OriginNativeError(code: .invalidMedia, message: "a picture timestamp is out of range")
        }
        return result.partialValue
    }

    // MARK: Audio

    private func decodeAudio(_ packet: FFmpegPacket?) throws {
        guard let decoder = source.audioDecoder, let audio, let timeBase = source.audioTimeBase else { return }
        try decode(packet, with: decoder, "audio") {
            try audio.push(frame, seconds: frame.bestEffortTimestamp.map { FFmpeg.seconds($0, timeBase) })
        }
        if origin != nil, packet != nil { try encodeAudio() }
    }

    private func encodeAudio() throws {
        try audio?.encode(flush: false) { packet in for rung in rungs { try rung.write(audio: packet) } }
    }
}
