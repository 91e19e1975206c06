import StreamLyConfig
import StreamLySFU
import Testing
@testable import StreamLyEdge

/// `MediaServerConfiguration(_ values:)`: the media transport's `rtc.*` keys, validated.
@Suite("rtc.* media transport configuration keys")
struct RTCConfigurationTests {
    @Test func defaultsAreThePortAndInterfaceAddresses() throws {
        let rtc = try MediaServerConfiguration(ConfigValues())
        #expect(rtc.port == 10_000)
        #expect(rtc.host == "0.0.0.0")
        #expect(rtc.announcedIPs == nil)
        #expect(rtc.tcpPort == nil)
        #expect(rtc.ice.consentTimeout == .seconds(30))
    }

    @Test func keysAreRead() throws {
        let rtc = try MediaServerConfiguration(ConfigValues([
            "rtc.port": "10500", "rtc.host": "10.0.0.5", "rtc.announced.ips": "203.0.113.7, 2001:db8::7",
            "rtc.consent.timeout": "10", "rtc.max.transports": "50", "rtc.tcp.port": "10443",
        ]))
        #expect(rtc.port == 10_500)
        #expect(rtc.host == "10.0.0.5")
        #expect(rtc.announcedIPs == ["203.0.113.7", "2001:db8::7"])
        #expect(rtc.ice.consentTimeout == .seconds(10))
        #expect(rtc.maximumTransports == 50)
        #expect(rtc.tcpPort == 10_443)
    }

    @Test func badValuesAreRefusedWithTheKey() throws {
        for (key, value) in [("rtc.announced.ips", "media.example.com"), ("rtc.port", "70000"),
                             ("rtc.host", "localhost"), ("rtc.consent.timeout", "1"),
                             ("rtc.tcp.port", "0")] {
            let error = #expect(throws: ConfigurationError.self, "\(key)=\(value)") {
                _ = try MediaServerConfiguration(ConfigValues([key: value]))
            }
            #expect(error?.message.contains(key) == true, "\(String(describing: error))")
        }
    }
}
