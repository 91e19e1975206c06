/// A rung fixed for one source: exact output size and rate control.
struct PlannedRung: Hashable, Sendable {
    var name: String
    var width: Int
    var height: Int
    var videoBitrate: Int
    var maxBitrate: Int
    var bufferSize: Int
}

/// Decides which rungs a source gets and at what size. Pure: no FFmpeg.
enum LadderPlan {
    /// Rungs whose height does not exceed the source's, highest first, at the source's display
    /// aspect ratio with even dimensions. A source shorter than every rung gets one rung at its
    /// own (even) size, named after its height, with the smallest rung's bitrate scaled by area.
    ///
    /// - Parameters:
    ///   - sampleAspect: the source's pixel aspect ratio (num, den); (0, _) or (_, 0) means square.
    static func plan(sourceWidth: Int, sourceHeight: Int, sampleAspect: (Int, Int) = (1, 1),
                     rungs: [TranscodeRung]) -> [PlannedRung] {
        guard sourceWidth > 0, sourceHeight > 0, !rungs.isEmpty else { return [] }
        let pixelAspect = sampleAspect.0 > 0 && sampleAspect.1 > 0
            ? Double(sampleAspect.0) / Double(sampleAspect.1) : 1
        let displayWidth = Double(sourceWidth) * pixelAspect
        let ordered = rungs.sorted { $0.height > $1.height }
        let fitting = ordered.filter { $0.height <= sourceHeight }
        if fitting.isEmpty, let smallest = ordered.last {
            let height = evenDown(sourceHeight)
            let width = evenDown(Int(displayWidth))
            let area = Double(width * height) / (Double(smallest.height) * Double(smallest.height) * 16 / 9)
            let scale = min(1, max(area, 0.1))
            return [PlannedRung(
                name: "\(height)p", width: width, height: height,
                videoBitrate: Int(Double(smallest.videoBitrate) * scale),
                maxBitrate: Int(Double(smallest.maxBitrate) * scale),
                bufferSize: Int(Double(smallest.bufferSize) * scale))]
        }
        return fitting.map { rung in
            let height = even(Double(rung.height))
            let width = even(displayWidth * Double(rung.height) / Double(sourceHeight))
            return PlannedRung(name: rung.name, width: width, height: height, videoBitrate: rung.videoBitrate,
                               maxBitrate: rung.maxBitrate, bufferSize: rung.bufferSize)
        }
    }

    /// Rounds down to an even integer, at least 2 (never larger than the source).
    static func evenDown(_ value: Int) -> Int {
        max(2, value / 2 * 2)
    }

    /// Rounds to the nearest even integer, at least 2 (4:2:0 chroma needs even sizes).
    static func even(_ value: Double) -> Int {
        max(2, Int((value / 2).rounded()) * 2)
    }
}
