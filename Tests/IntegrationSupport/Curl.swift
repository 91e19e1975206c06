import Foundation

/// One curl run (a real third-party HTTP client): status line facts, headers and body.
public struct CurlResult: Sendable {
    public var status: Int
    public var httpVersion: String
    /// Header names lower-cased (the last response's, after redirects or a 100).
    public var headers: [String: String]
    public var body: Data
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Runs curl with `arguments` on `url` (`-k`: the edges' certificates are self-signed).
public func curl(_ url: String, _ arguments: [String] = [], maxTime: Int = 20) async throws -> CurlResult {
    let directory = FileManager.default.temporaryDirectory
    let id = UUID().uuidString.prefix(8)
    let headerFile = directory.appendingPathComponent("streamly-it-h-\(id)").path
    let bodyFile = directory.appendingPathComponent("streamly-it-b-\(id)").path
    defer {
        try? FileManager.default.removeItem(atPath: headerFile)
        try? FileManager.default.removeItem(atPath: bodyFile)
    }
    let (_, output) = try await ChildProcess.run("/usr/bin/curl", [
        "-k", "-s", "--max-time", String(maxTime), "-D", headerFile, "-o", bodyFile, "-w", "%{http_code} %{http_version}",
    ] + arguments + [url])
    let facts = String(decoding: output, as: UTF8.self).split(separator: " ")
    var headers: [String: String] = [:]
    let raw = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
    for line in raw.split(whereSeparator: \.isNewline) {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return CurlResult(status: facts.first.flatMap { Int($0) } ?? 0, httpVersion: facts.count > 1 ? String(facts[1]) : "",
                      headers: headers, body: (try? Data(contentsOf: URL(fileURLWithPath: bodyFile))) ?? Data())
}

/// A GET; returns status (0 when nothing answers) and body.
public func httpGet(_ url: String, maxTime: Int = 5) async throws -> (status: Int, body: String) {
    let result = try await curl(url, maxTime: maxTime)
    return (result.status, result.text)
}

/// The status of a GET (0 when nothing answers).
public func httpStatus(_ url: String) async throws -> Int { try await httpGet(url, maxTime: 3).status }

/// The sum of a Prometheus metric's samples (all label sets matching `labels`) at `url`.
public func metricValue(_ url: String, _ name: String, labels: String = "") async throws -> Double {
    try await curl(url).text.split(separator: "\n").reduce(0) { sum, line in
        guard line.hasPrefix(name + "{") || line.hasPrefix(name + " "), labels.isEmpty || line.contains(labels),
              let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { return sum }
        return sum + value
    }
}

extension CurlResult {
    /// The body decoded as `T`; throws with the answer when it is not one.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: body) } catch {
            throw TestFailure("cannot decode \(T.self) from HTTP \(status): \(text)")
        }
    }

    /// `error.code` of a `{error: {code, message}}` body.
    public var errorCode: String? {
        struct Body: Decodable { struct Detail: Decodable { var code: String }; var error: Detail }
        return try? JSONDecoder().decode(Body.self, from: body).error.code
    }

    /// The body's bytes, to compare with what was stored.
    public var bytes: [UInt8] { Array(body) }
}
