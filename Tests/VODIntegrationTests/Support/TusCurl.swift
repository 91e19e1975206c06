import Foundation
import IntegrationSupport

/// A tus 1.0 client made of curl invocations (a real third-party HTTP client), plus the
/// REST calls the upload tests need.
struct TusCurl: Sendable {
    let port: Int
    var base: String { "http://127.0.0.1:\(port)/api/v1" }

    struct Answer: Sendable {
        var status: Int
        /// Header names lower-cased.
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var offset: Int64? { headers["upload-offset"].flatMap { Int64($0) } }
        var errorCode: String? {
            struct Body: Decodable { struct Detail: Decodable { var code: String }; var error: Detail }
            return try? JSONDecoder().decode(Body.self, from: body).error.code
        }
    }

    /// One request. `headers` are `Name: value` lines; `file` is sent as the body; `tus`
    /// adds `Tus-Resumable: 1.0.0`; `token` a bearer token.
    func call(_ method: String, _ url: String, token: String?, tus: Bool = true, headers: [String] = [],
              file: URL? = nil, json: String? = nil, extra: [String] = []) async throws -> Answer {
        let id = UUID().uuidString
        let headerFile = FileManager.default.temporaryDirectory.appendingPathComponent("vod-it-h-\(id)")
        let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent("vod-it-b-\(id)")
        defer {
            try? FileManager.default.removeItem(at: headerFile)
            try? FileManager.default.removeItem(at: bodyFile)
        }
        var arguments = ["-s", "--max-time", "120", "-D", headerFile.path, "-o", bodyFile.path, "-w", "%{http_code}",
                         "-H", "Expect:"]
        arguments += method == "HEAD" ? ["-I"] : ["-X", method]
        if tus { arguments += ["-H", "Tus-Resumable: 1.0.0"] }
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        for header in headers { arguments += ["-H", header] }
        if let file { arguments += ["--data-binary", "@\(file.path)"] }
        if let json { arguments += ["-H", "Content-Type: application/json", "--data-binary", json] }
        arguments += extra
        arguments.append(url.hasPrefix("http") ? url : base + url)
        let (_, output) = try await ChildProcess.run("/usr/bin/curl", arguments)
        let status = Int(String(decoding: output, as: UTF8.self).suffix(3)) ?? 0
        var fields: [String: String] = [:]
        let raw = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        for line in raw.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Answer(status: status, headers: fields, body: (try? Data(contentsOf: bodyFile)) ?? Data())
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

    /// Signs a user up; returns (id, access token).
    func signup(_ prefix: String) async throws -> (id: String, token: String) {
        struct Body: Decodable { struct User: Decodable { var id: String }; var user: User; var access_token: String }
        let name = "\(prefix)\(UUID().uuidString.prefix(8).lowercased())"
        let answer = try await call("POST", "/auth/signup", token: nil, tus: false,
                                    json: #"{"username":"\#(name)","password":"correct-horse-battery"}"#)
        guard answer.status == 201 || answer.status == 200,
              let body = try? JSONDecoder().decode(Body.self, from: answer.body) else {
            throw TestFailure("signup: HTTP \(answer.status) \(answer.text)")
        }
        return (body.user.id, body.access_token)
    }
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
