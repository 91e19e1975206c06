#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import StreamLyOriginNative
import Testing

@Suite struct FFmpegTests {
    @Test func libraryVersionsAreLoaded() {
        let versions = [
            FFmpeg.avformatVersion, FFmpeg.avcodecVersion, FFmpeg.avutilVersion,
            FFmpeg.swscaleVersion, FFmpeg.swresampleVersion,
        ]
        #expect(versions.allSatisfy { $0.major > 0 && $0.micro >= 100 })  // FFmpeg, not Libav
        #expect(FFmpeg.avformatVersion >= FFmpeg.Version(major: 59, minor: 0, micro: 0))
    }

    @Test func transcodingEncodersArePresent() {
        #expect(FFmpeg.hasEncoder("libx264"))
        #expect(FFmpeg.hasEncoder("aac"))
        #expect(FFmpeg.hasDecoder("h264"))
        #expect(!FFmpeg.hasEncoder("no-such-encoder"))
        #expect(!FFmpeg.hasEncoder("h264_nonexistent"))
    }

    @Test func errorStrings() {
        #expect(FFmpeg.errorCode(posix: EINVAL) == -EINVAL)
        #expect(FFmpeg.errorDescription(FFmpeg.errorCode(posix: EINVAL)) == "Invalid argument")
        #expect(FFmpeg.errorDescription(FFmpeg.endOfFile) == "End of file")
    }

    @Test func checkThrowsForNegativeResults() throws {
        #expect(try FFmpeg.check(3, "op") == 3)
        let error = #expect(throws: OriginNativeError.self) {
            try FFmpeg.check(FFmpeg.errorCode(posix: EAGAIN), "avcodec_receive_packet")
        }
        #expect(error?.code == .ffmpeg)
        #expect(error?.status == -EAGAIN)
        #expect(error?.message == "avcodec_receive_packet: Resource temporarily unavailable")
    }
}
