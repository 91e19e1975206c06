internal import CFFmpeg

/// Owns an `AVDictionary` of options for one `avcodec_open2` / `avformat_write_header` call
/// and reports the entries the callee did not consume (a misspelt or unsupported option).
final class FFmpegDictionary {
    var pointer: OpaquePointer?

    init(_ entries: [(String, String)]) throws {
        for (key, value) in entries {
            try FFmpeg.check(av_dict_set(&pointer, key, value, 0), "av_dict_set(\(key))")
        }
    }

    deinit {
        av_dict_free(&pointer)
    }

    /// Keys still present after the call: options the callee did not recognise.
    var remainingKeys: [String] {
        var keys: [String] = []
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = av_dict_get(pointer, "", entry, AV_DICT_IGNORE_SUFFIX) {
            keys.append(String(cString: next.pointee.key))
            entry = next
        }
        return keys
    }

    /// Throws when the callee left options unconsumed.
    func requireAllConsumed(by operation: String) throws {
        let keys = remainingKeys
        guard keys.isEmpty else {
            throw OriginNativeError(code: .ffmpeg, message: "\(operation): unknown option(s) \(keys.joined(separator: ", "))")
        }
    }
}
