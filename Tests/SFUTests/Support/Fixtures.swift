import Foundation

/// The SDP captured from Chromium 156 and aiortc 1.16 (../shared/sdp-samples, copied
/// byte for byte into Fixtures/; CRLF kept for Chromium, LF for aiortc).
enum Fixtures {
    static let sdpNames = [
        "aiortc-answer-to-icelite-offer", "aiortc-answer", "aiortc-offer-addtrack", "aiortc-offer-sendonly",
        "chromium-answer-recvonly", "chromium-answer-to-icelite-offer", "chromium-offer-sendonly-plain",
        "chromium-offer-sendonly-simulcast", "sfu-example-answer-simulcast", "sfu-example-offer-sub",
    ]

    /// The text of `Fixtures/<name>.sdp`.
    static func sdp(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "sdp", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
