#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import StreamLySFUNative
import Testing

@Suite struct OpusCodecTests {
    static let sampleRate = 48_000
    static let frameSize = 960  // 20 ms at 48 kHz

    /// `frames` frames of a 440 Hz sine at half scale, interleaved over `channels`.
    static func sine(frames: Int, channels: Int) -> [Int16] {
        let count = frames * frameSize
        return (0..<count).flatMap { index -> [Int16] in
            let phase = 2 * Double.pi * 440 * Double(index) / Double(sampleRate)
            return Array(repeating: Int16(16_000 * sin(phase)), count: channels)
        }
    }

    static func rms(_ samples: ArraySlice<Int16>) -> Double {
        (samples.reduce(0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
    }

    /// Best normalised correlation between `output` and `input` delayed by 0...maxLag samples.
    static func bestCorrelation(_ input: [Int16], _ output: [Int16], window: Range<Int>, maxLag: Int) -> Double {
        (0...maxLag).map { lag in
            var dot = 0.0, inputEnergy = 0.0, outputEnergy = 0.0
            for index in window {
                let a = Double(input[index - lag]), b = Double(output[index])
                dot += a * b
                inputEnergy += a * a
                outputEnergy += b * b
            }
            return dot / (inputEnergy * outputEnergy).squareRoot()
        }.max() ?? 0
    }

    @Test(arguments: [1, 2])
    func sineSurvivesEncodeAndDecode(channels: Int) throws {
        let encoder = try OpusEncoder(sampleRate: Self.sampleRate, channels: channels)
        try encoder.setBitrate(64_000)
        #expect(try encoder.bitrate() == 64_000)
        let decoder = try OpusDecoder(sampleRate: Self.sampleRate, channels: channels)

        let input = Self.sine(frames: 5, channels: channels)
        var output: [Int16] = []
        let frameSamples = Self.frameSize * channels
        for start in stride(from: 0, to: input.count, by: frameSamples) {
            let packet = try encoder.encode(Array(input[start..<(start + frameSamples)]))
            #expect(packet.count > 10 && packet.count <= OpusEncoder.maximumPacketSize)
            let pcm = try decoder.decode(packet)
            #expect(pcm.count == frameSamples)
            output += pcm
        }
        // Compare the last 40 ms, allowing for the codec's algorithmic delay (6.5 ms).
        let window = (input.count - 2 * frameSamples)..<input.count
        let correlation = Self.bestCorrelation(input, output, window: window, maxLag: 480 * channels)
        #expect(correlation > 0.9)
        let ratio = Self.rms(output[window]) / Self.rms(input[window])
        #expect(ratio > 0.7 && ratio < 1.3)
    }

    @Test func lowerBitrateGivesSmallerPackets() throws {
        let input = Array(Self.sine(frames: 1, channels: 1))
        func size(_ bitrate: Int) throws -> Int {
            let encoder = try OpusEncoder(channels: 1)
            try encoder.setBitrate(bitrate)
            return try encoder.encode(input).count
        }
        #expect(try size(16_000) < size(128_000))
    }

    @Test func invalidArgumentsUseOpusErrorText() throws {
        let rate = #expect(throws: MediaNativeError.self) { try OpusEncoder(sampleRate: 44_100, channels: 1) }
        #expect(rate?.code == .opus)
        #expect(rate?.message == "opus_encoder_create: invalid argument")
        #expect(throws: MediaNativeError.self) { try OpusDecoder(channels: 3) }

        let encoder = try OpusEncoder(channels: 1)
        let bitrate = #expect(throws: MediaNativeError.self) { try encoder.setBitrate(0) }
        #expect(bitrate?.message.hasSuffix("invalid argument") == true)
        // 17 ms is not an Opus frame duration.
        let frame = #expect(throws: MediaNativeError.self) { try encoder.encode([Int16](repeating: 0, count: 816)) }
        #expect(frame?.code == .opus)
    }

    @Test func corruptPacketIsRejected() throws {
        let decoder = try OpusDecoder(channels: 2)
        // TOC code 3 (arbitrary frame count) without its frame-count byte.
        let error = #expect(throws: MediaNativeError.self) { try decoder.decode([0x03]) }
        #expect(error?.message == "opus_decode: corrupted stream")
        #expect(try decoder.concealLoss(frameSize: Self.frameSize).count == 2 * Self.frameSize)
    }
}
