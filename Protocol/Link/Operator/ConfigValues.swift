import Foundation
import StreamLyProtocol

/// Flat configuration values from a JSON file overlaid by environment variables.
///
/// Keys are dotted lower-case paths (`http.port`). In the JSON file they are nested
/// objects (`{"http": {"port": 8080}}`); in the environment they are upper-case with
/// underscores and the `STREAMLY_` prefix (`STREAMLY_HTTP_PORT`). The environment wins.
public struct ConfigValues: Sendable {
    public private(set) var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// Loads `file` (if given) and then applies `environment`.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                            prefix: String = "STREAMLY_") throws -> ConfigValues {
        var result = ConfigValues()
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw LinkError(.invalidArgument, "cannot read configuration file \(file)")
            }
            let json: Any
            do { json = try JSONSerialization.jsonObject(with: data) } catch {
                throw LinkError(.invalidArgument, "configuration file \(file) is not valid JSON: \(error.localizedDescription)")
            }
            guard let object = json as? [String: Any] else {
                throw LinkError(.invalidArgument, "configuration file \(file) must contain a JSON object")
            }
            flatten(object, path: "", into: &result.values)
        }
        for (name, value) in environment where name.hasPrefix(prefix) {
            let key = name.dropFirst(prefix.count).lowercased().replacingOccurrences(of: "_", with: ".")
            result.values[key] = value
        }
        return result
    }

    private static func flatten(_ object: [String: Any], path: String, into values: inout [String: String]) {
        for (name, value) in object {
            let key = (path.isEmpty ? "" : path + ".") + name.lowercased()
            switch value {
            case let nested as [String: Any]: flatten(nested, path: key, into: &values)
            case let list as [Any]: values[key] = list.map { "\($0)" }.joined(separator: ",")
            default: values[key] = "\(value)"
            }
        }
    }

    public func string(_ key: String, default defaultValue: String) -> String {
        values[key] ?? defaultValue
    }

    public func optionalString(_ key: String) -> String? {
        values[key].flatMap { $0.isEmpty ? nil : $0 }
    }

    public func int(_ key: String, default defaultValue: Int, range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let raw = values[key] else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw LinkError(.invalidArgument, "configuration \(key)=\(raw) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    public func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let raw = values[key]?.lowercased() else { return defaultValue }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw LinkError(.invalidArgument, "configuration \(key)=\(raw) must be true or false")
        }
    }

    public func list(_ key: String, default defaultValue: [String]) -> [String] {
        guard let raw = values[key] else { return defaultValue }
        return raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Link tuning under `link.*`: frame size, windows, concurrent streams, heartbeat.
    public func linkSettings() throws -> LinkSettings {
        var settings = LinkSettings()
        let window = Int(LinkSettings.maxWindow)
        settings.maxFrameSize = UInt32(try int("link.max.frame", default: Int(settings.maxFrameSize),
                                                range: Int(LinkSettings.minMaxFrameSize)...Int(LinkSettings.maxMaxFrameSize)))
        settings.initialStreamWindow = UInt32(try int("link.stream.window", default: Int(settings.initialStreamWindow), range: 65_536...window))
        settings.connectionWindow = UInt32(try int("link.connection.window", default: Int(settings.connectionWindow), range: 65_536...window))
        settings.maxConcurrentStreams = UInt32(try int("link.max.streams", default: Int(settings.maxConcurrentStreams), range: 1...1_000_000))
        settings.heartbeatIntervalMilliseconds = UInt32(try int("link.heartbeat.ms", default: Int(settings.heartbeatIntervalMilliseconds), range: 100...600_000))
        return settings
    }

    /// Link TLS settings under `link.tls.*`, nil unless `link.tls.enabled` is true.
    public func linkTLS() throws -> LinkTLSConfiguration? {
        guard try bool("link.tls.enabled", default: false) else { return nil }
        return LinkTLSConfiguration(
            certificatePath: optionalString("link.tls.cert"), keyPath: optionalString("link.tls.key"),
            caPath: optionalString("link.tls.ca"), requireClientCertificate: try bool("link.tls.clientauth", default: false)
        )
    }
}
