internal import CFFmpeg

/// The opened input of a job: the demuxer, the chosen video stream and its decoder, and the
/// audio stream and decoder when there is one. Rejects what is not a usable video with
/// `.invalidMedia` and a readable message.
package final class TranscodeSource {
    let input: FFmpegInput
    let videoIndex: Int32
    let videoDecoder: FFmpegCodecContext
    let audioIndex: Int32?
    let audioDecoder: FFmpegCodecContext?

    package let width: Int
    package let height: Int
    package let sampleAspect: (Int, Int)
    let videoTimeBase: AVRational
    let audioTimeBase: AVRational?
    let frameRate: AVRational
    /// The frame rate the container declares, nil when unknown or implausible (above 240).
    package let declaredFrameRate: Double?
    /// Container duration in seconds, when known.
    package let duration: Double?

    package init(path: String, acceptedFormats: Set<String>) throws {
        input = try FFmpegInput(path: path)
        let names = input.formatName.split(separator: ",").map(String.init)
        guard names.contains(where: acceptedFormats.contains) else {
            throw OriginNativeError(code: .invalidMedia, message: "unsupported input format: \(input.formatName)")
        }
        guard let videoIndex = input.bestStream(AVMEDIA_TYPE_VIDEO) else {
            throw OriginNativeError(code: .invalidMedia, message: "input has no video stream")
        }
        self.videoIndex = videoIndex
        let stream = input.stream(videoIndex)
        let parameters = stream.pointee.codecpar.pointee
        guard parameters.width > 0, parameters.height > 0 else {
            throw OriginNativeError(code: .invalidMedia, message: "video stream has no picture size")
        }
        width = Int(parameters.width)
        height = Int(parameters.height)
        sampleAspect = (Int(parameters.sample_aspect_ratio.num), Int(parameters.sample_aspect_ratio.den))
        videoTimeBase = stream.pointee.time_base
        videoDecoder = try FFmpegCodecContext.decoder(for: stream)

        var rate = input.guessFrameRate(videoIndex)
        if rate.num <= 0 || rate.den <= 0 || Double(rate.num) / Double(rate.den) > 240 {
            rate = AVRational(num: 25, den: 1)
            declaredFrameRate = nil
        } else {
            declaredFrameRate = Double(rate.num) / Double(rate.den)
        }
        frameRate = rate
        duration = input.duration

        if let audioIndex = input.bestStream(AVMEDIA_TYPE_AUDIO) {
            let audioStream = input.stream(audioIndex)
            self.audioIndex = audioIndex
            audioTimeBase = audioStream.pointee.time_base
            audioDecoder = try FFmpegCodecContext.decoder(for: audioStream)
        } else {
            audioIndex = nil
            audioTimeBase = nil
            audioDecoder = nil
        }
    }

    /// Whether the input has an audio stream to encode.
    package var hasAudio: Bool { audioDecoder != nil }

    /// The video stream's time base (num, den): the unit of its timestamps.
    package var videoTimeBaseFraction: (num: Int32, den: Int32) { (videoTimeBase.num, videoTimeBase.den) }

    /// Frames per second (0 when the rate is unknown).
    package var framesPerSecond: Double {
        frameRate.den > 0 ? Double(frameRate.num) / Double(frameRate.den) : 0
    }

    /// The video stream's codec parameters (colour description for the encoders).
    var videoParameters: UnsafePointer<AVCodecParameters> {
        UnsafePointer(input.stream(videoIndex).pointee.codecpar)
    }
}
