import Foundation

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
                throw ConfigurationError("cannot read configuration file \(file)")
            }
            let json: Any
            do { json = try JSONSerialization.jsonObject(with: data) } catch {
                throw ConfigurationError("configuration file \(file) is not valid JSON: \(error.localizedDescription)")
            }
            guard let object = json as? [String: Any] else {
                throw ConfigurationError("configuration file \(file) must contain a JSON object")
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
            throw ConfigurationError("configuration \(key)=\(raw) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    public func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let raw = values[key]?.lowercased() else { return defaultValue }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError("configuration \(key)=\(raw) must be true or false")
        }
    }

    public func list(_ key: String, default defaultValue: [String]) -> [String] {
        guard let raw = values[key] else { return defaultValue }
        return raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
