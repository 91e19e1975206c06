import Foundation
import StreamLyOriginNative

/// One run of the ladder, entirely on the calling thread (blocking): demux → decode once →
/// for each picture decide the keyframe, then scale + encode + mux per rung; audio is decoded,
/// resampled and AAC-encoded once and muxed into every rung. Afterwards it reads the media
/// playlists back, writes `master.m3u8` and returns the result.
final class TranscodeJob {
    private let configuration: TranscodeConfiguration
    private let inputPath: String
    private let output: URL
    private let progress: (Double) -> Void
    private let shouldContinue: () -> Bool

    private var throttle = ProgressThrottle()
    private let clock = ContinuousClock()
    private let startInstant: ContinuousClock.Instant

    init(configuration: TranscodeConfiguration, inputPath: String, outputDirectory: String,
         progress: @escaping (Double) -> Void, shouldContinue: @escaping () -> Bool) {
        self.configuration = configuration
        self.inputPath = inputPath
        output = URL(fileURLWithPath: outputDirectory, isDirectory: true)
        self.progress = progress
        self.shouldContinue = shouldContinue
        startInstant = clock.now
    }

    func run() throws -> TranscodeResult {
        try configuration.validate()
        try checkContinue()
        let source = try TranscodeSource(path: inputPath, acceptedFormats: configuration.acceptedInputFormats)
        let limits = configuration.limits
        try limits.checkSource(width: source.width, height: source.height, frameRate: source.declaredFrameRate,
                               duration: source.duration)
        let plan = LadderPlan.plan(sourceWidth: source.width, sourceHeight: source.height,
                                   sampleAspect: source.sampleAspect, rungs: configuration.rungs)
        guard let top = plan.first else {
            throw OriginNativeError(code: .invalidMedia, message: "no rung fits a \(source.width)x\(source.height) video")
        }
        // A crafted pixel aspect ratio must not make a rung wider than any accepted picture.
        for rung in plan where rung.width > limits.maxWidth {
            throw OriginNativeError(code: .invalidMedia, message: "pixel aspect ratio \(source.sampleAspect.0):"
                                    + "\(source.sampleAspect.1) makes the \(rung.name) rendition \(rung.width) wide "
                                    + "(limit \(limits.maxWidth))")
        }
        try prepareOutputDirectory(rungs: plan)

        let audio = source.hasAudio
            ? try AudioTrackEncoder(bitrate: configuration.audioBitrate, sampleRate: configuration.audioSampleRate,
                                    globalHeader: true, maxStartOffsetSeconds: limits.maxDurationSeconds)
            : nil
        let encoders = try plan.map { rung in
            try VideoRungEncoder(
                width: rung.width, height: rung.height, videoBitrate: rung.videoBitrate, maxBitrate: rung.maxBitrate,
                bufferSize: rung.bufferSize, directory: output.appendingPathComponent(rung.name).path, source: source,
                audio: audio, preset: configuration.preset, segmentDuration: configuration.segmentDuration)
        }
        let posterSize = Self.posterSize(width: top.width, height: top.height, maxWidth: configuration.posterMaxWidth)
        let poster = PosterWriter(
            path: output.appendingPathComponent("poster.jpg").path, width: posterSize.width,
            height: posterSize.height, targetSeconds: (source.duration ?? 0) * configuration.posterPosition)

        var cadence = KeyframeCadence(intervalSeconds: configuration.segmentDuration,
                                      timeBase: source.videoTimeBaseFraction)
        var pictureGuard = PictureGuard(limits: limits)
        let pipeline = try TranscodePipeline(
            source: source, rungs: encoders, audio: audio, poster: poster,
            admit: { try pictureGuard.admit(seconds: $0, width: $1, height: $2) },
            isKeyframe: { try cadence.isKeyframe(pts: $0) })
        try pipeline.run(checkContinue: checkContinue, reportProgress: reportProgress)
        for encoder in encoders { try encoder.finish() }
        try poster.finish()

        let result = try summarize(rungs: Array(zip(plan, encoders)), framesPerSecond: source.framesPerSecond,
                                   hasAudio: audio != nil)
        if let final = throttle.finish() { progress(final) }
        return result
    }

    /// Throws `.cancelled` when the caller's check says stop.
    func checkContinue() throws {
        guard shouldContinue() else {
            throw OriginNativeError(code: .cancelled, message: "transcode cancelled")
        }
    }

    /// Reports progress from a decoded video timestamp.
    func reportProgress(seconds: Double, duration: Double?) {
        guard let duration, duration > 0 else { return }
        let elapsed = startInstant.duration(to: clock.now)
        let now = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        if let value = throttle.update(seconds / duration, now: now) { progress(value) }
    }

    // MARK: Output

    /// Creates the output directory and removes what an earlier run of the same job may have
    /// left (rung folders, master playlist, poster), so a redone job leaves exactly its own files.
    private func prepareOutputDirectory(rungs: [PlannedRung]) throws {
        let files = FileManager.default
        guard !output.path.contains("%") else {
            // The hls muxer reads `%` in its segment file name as a pattern, with no escape.
            throw OriginNativeError(code: .io, message: "output directory must not contain '%': \(output.path)")
        }
        do {
            try files.createDirectory(at: output, withIntermediateDirectories: true)
            let stale = Set(configuration.rungs.map(\.name) + rungs.map(\.name) + ["master.m3u8", "poster.jpg"])
            for name in stale {
                let url = output.appendingPathComponent(name)
                if files.fileExists(atPath: url.path) { try files.removeItem(at: url) }
            }
            for rung in rungs {
                try files.createDirectory(at: output.appendingPathComponent(rung.name), withIntermediateDirectories: true)
            }
        } catch {
            throw OriginNativeError(code: .io, message: "cannot prepare \(output.path): \(error)")
        }
    }

    private func summarize(rungs: [(rung: PlannedRung, encoder: VideoRungEncoder)], framesPerSecond fps: Double,
                           hasAudio: Bool) throws -> TranscodeResult {
        var renditions: [TranscodeRendition] = []
        var files = ["master.m3u8", "poster.jpg"]
        var duration = 0.0
        for (rung, encoder) in rungs {
            let videoCodecString = AVCCodecString.make(extradata: encoder.extradata) ?? "avc1.640028"
            let folder = output.appendingPathComponent(rung.name)
            let text: String
            do {
                text = try String(contentsOf: folder.appendingPathComponent("index.m3u8"), encoding: .utf8)
            } catch {
                throw OriginNativeError(code: .io, message: "cannot read \(rung.name)/index.m3u8: \(error)")
            }
            let summary = MediaPlaylistSummary.parse(text) { uri in
                let attributes = try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(uri).path)
                return (attributes?[.size] as? NSNumber)?.intValue
            }
            guard !summary.segments.isEmpty else {
                throw OriginNativeError(code: .invalidMedia, message: "\(rung.name): no segment was produced")
            }
            if renditions.isEmpty { duration = summary.duration }
            files.append("\(rung.name)/index.m3u8")
            if let initURI = summary.initURI { files.append("\(rung.name)/\(initURI)") }
            files.append(contentsOf: summary.segments.map { "\(rung.name)/\($0.uri)" })
            renditions.append(TranscodeRendition(
                name: rung.name, width: rung.width, height: rung.height,
                bandwidth: summary.peakBandwidth, averageBandwidth: summary.averageBandwidth,
                codecs: hasAudio ? videoCodecString + ",mp4a.40.2" : videoCodecString,
                frameRate: fps))
        }
        do {
            try MasterPlaylist.render(renditions)
                .write(to: output.appendingPathComponent("master.m3u8"), atomically: true, encoding: .utf8)
        } catch {
            throw OriginNativeError(code: .io, message: "cannot write master.m3u8: \(error)")
        }
        return TranscodeResult(renditions: renditions, duration: duration, hasAudio: hasAudio, files: files.sorted(),
                               masterPlaylist: "master.m3u8", poster: "poster.jpg")
    }

    /// The top rung's size, scaled down to at most `maxWidth` wide (even dimensions).
    static func posterSize(width: Int, height: Int, maxWidth: Int) -> (width: Int, height: Int) {
        guard width > maxWidth, maxWidth > 0 else { return (width, height) }
        return (LadderPlan.even(Double(maxWidth)), LadderPlan.even(Double(height) * Double(maxWidth) / Double(width)))
    }
}
