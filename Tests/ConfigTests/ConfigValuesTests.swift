import Foundation
import StreamLyConfig
import Testing

@Suite("Configuration values")
struct ConfigValuesTests {
    @Test("a JSON file is flattened to dotted keys and the environment wins")
    func fileThenEnvironment() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streamly-config-\(UUID()).json").path
        try Data(#"{"http": {"port": 8081, "host": "0.0.0.0"}, "origins": ["a:1", "b:2"]}"#.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let values = try ConfigValues.load(file: path, environment: ["STREAMLY_HTTP_PORT": "9000", "OTHER": "x"])
        #expect(try values.int("http.port", default: 1) == 9000)
        #expect(values.string("http.host", default: "") == "0.0.0.0")
        #expect(values.list("origins", default: []) == ["a:1", "b:2"])
        #expect(values.optionalString("missing") == nil)
    }

    @Test("bad files and values are ConfigurationErrors naming the key")
    func errors() throws {
        #expect(throws: ConfigurationError.self) { try ConfigValues.load(file: "/nonexistent/streamly.json", environment: [:]) }
        let values = ConfigValues(["http.port": "eighty", "tls.enabled": "maybe", "link.max.streams": "0"])
        let port = #expect(throws: ConfigurationError.self) { try values.int("http.port", default: 1) }
        #expect(port?.message.contains("http.port") == true)
        #expect(throws: ConfigurationError.self) { try values.bool("tls.enabled", default: false) }
        #expect(throws: ConfigurationError.self) { try values.linkSettings() }
    }
}
