import Foundation

/// The RFC 6381 `CODECS` value of an H.264 stream, `avc1.PPCCLL`: profile_idc, the constraint
/// flags byte and level_idc of its sequence parameter set (ITU-T H.264 §7.3.2.1.1), in hex.
/// Pure: reads the encoder's extradata, no FFmpeg.
enum AVCCodecString {
    /// Reads the first SPS from extradata in either layout: an `avcC` record (ISO/IEC 14496-15
    /// §5.3.3.1, first byte 1) or Annex B start-code delimited NAL units (what libx264 emits with
    /// a global header). Nil when there is no SPS.
    static func make(extradata: [UInt8]) -> String? {
        guard let found = firstSPS(in: extradata), found.count >= 4 else { return nil }
        let sps = Array(found)  // zero-based
        return String(format: "avc1.%02x%02x%02x", sps[1], sps[2], sps[3])
    }

    /// The SPS NAL unit (starting with its header byte).
    static func firstSPS(in data: [UInt8]) -> ArraySlice<UInt8>? {
        if data.first == 1 {
            // avcC: version, profile, compat, level, lengthSizeMinusOne, numSPS, spsLength(16), sps...
            guard data.count >= 8, data[5] & 0x1F > 0 else { return nil }
            let length = Int(data[6]) << 8 | Int(data[7])
            guard data.count >= 8 + length, length > 0 else { return nil }
            return data[8..<(8 + length)]
        }
        var index = 0
        var start: Int?
        while index + 3 <= data.count {
            if data[index] == 0, data[index + 1] == 0, data[index + 2] == 1 {
                if let begin = start, data[begin] & 0x1F == 7 {
                    return data[begin..<trimmedEnd(data, index)]
                }
                start = index + 3
                index += 3
            } else {
                index += 1
            }
        }
        if let begin = start, begin < data.count, data[begin] & 0x1F == 7 { return data[begin...] }
        return nil
    }

    /// A 4-byte start code is a 3-byte one preceded by a zero byte, which belongs to neither NAL.
    private static func trimmedEnd(_ data: [UInt8], _ startCode: Int) -> Int {
        startCode > 0 && data[startCode - 1] == 0 ? startCode - 1 : startCode
    }
}
