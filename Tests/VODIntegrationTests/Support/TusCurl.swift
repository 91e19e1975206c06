import Foundation
import IntegrationSupport

/// A tus 1.0 client made of curl invocations (a real third-party HTTP client), plus the
/// REST calls the upload tests need.
struct TusCurl: Sendable {
    let port: Int
    var base: String { "http://127.0.0.1:\(port)/api/v1" }

    typealias Answer = CurlResult

    /// One request. `headers` are `Name: value` lines; `file` is sent as the body; `tus`
    /// adds `Tus-Resumable: 1.0.0`; `token` a bearer token.
    func call(_ method: String, _ url: String, token: String?, tus: Bool = true, headers: [String] = [],
              file: URL? = nil, json: String? = nil, extra: [String] = []) async throws -> Answer {
        var arguments = ["-H", "Expect:"]
        arguments += method == "HEAD" ? ["-I"] : ["-X", method]
        if tus { arguments += ["-H", "Tus-Resumable: 1.0.0"] }
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        for header in headers { arguments += ["-H", header] }
        if let file { arguments += ["--data-binary", "@\(file.path)"] }
        if let json { arguments += ["-H", "Content-Type: application/json", "--data-binary", json] }
        return try await curl(url.hasPrefix("http") ? url : base + url, arguments + extra, maxTime: 120)
    }

    func head(_ url: String, token: String?) async throws -> Answer {
        try await call("HEAD", url, token: token)
    }

    /// PATCH `bytes` at `offset`; `rate` (e.g. "2M") throttles curl, `headers` adds more.
    func patch(_ url: String, token: String?, offset: Int64, bytes: Data, headers: [String] = [],
               rate: String? = nil) async throws -> Answer {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vod-it-chunk-\(UUID().uuidString)")
        try bytes.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await call("PATCH", url, token: token,
                              headers: ["Content-Type: application/offset+octet-stream", "Upload-Offset: \(offset)"] + headers,
                              file: file, extra: rate.map { ["--limit-rate", $0] } ?? [])
    }

    /// tus creation; returns the answer (Location on 201).
    func create(token: String?, length: Int64?, metadata: [String: String] = [:], headers: [String] = []) async throws -> Answer {
        var lines = headers
        lines.append(length.map { "Upload-Length: \($0)" } ?? "Upload-Defer-Length: 1")
        if !metadata.isEmpty {
            lines.append("Upload-Metadata: " + metadata.sorted { $0.key < $1.key }
                .map { "\($0.key) \(Data($0.value.utf8).base64EncodedString())" }.joined(separator: ","))
        }
        return try await call("POST", "/uploads", token: token, headers: lines)
    }

    /// Signs a user up.
    func signup(_ prefix: String) async throws -> REST.Account { try await REST(port: port).signup(prefix) }
}

/// Random bytes (SystemRandomNumberGenerator, so every run differs).
func randomBytes(_ count: Int) -> Data {
    var generator = SystemRandomNumberGenerator()
    var data = Data(count: count)
    data.withUnsafeMutableBytes { raw in
        let words = raw.bindMemory(to: UInt8.self)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<8 where index < count {
                words[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
    }
    return data
}

extension CurlResult {
    /// `Upload-Offset` of a tus answer.
    var offset: Int64? { headers["upload-offset"].flatMap { Int64($0) } }
}
