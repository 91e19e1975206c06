@testable import StreamLyEdge
import Testing

@Suite("ClientPrefixes")
struct ClientPrefixesTests {
    @Test("longest prefix wins; IPv4, IPv6 and IPv4-mapped IPv6 addresses match")
    func longestPrefix() throws {
        let prefixes = try ClientPrefixes(["10.0.0.0/8=core", "10.1.0.0/16=eu", "10.1.2.0/24=eu-paris", "2001:db8::/32=us",
                                           "192.0.2.7=single"])
        #expect(prefixes.region(of: "10.9.9.9") == "core")
        #expect(prefixes.region(of: "10.1.9.9") == "eu")
        #expect(prefixes.region(of: "10.1.2.200") == "eu-paris")
        #expect(prefixes.region(of: "::ffff:10.1.2.3") == "eu-paris")
        #expect(prefixes.region(of: "2001:db8:1::5") == "us")
        #expect(prefixes.region(of: "2001:db9::5") == nil)
        #expect(prefixes.region(of: "192.0.2.7") == "single")
        #expect(prefixes.region(of: "192.0.2.8") == nil)
        #expect(prefixes.region(of: "11.0.0.1") == nil)
        #expect(prefixes.region(of: "unknown") == nil)
        // Prefix lengths that are not a multiple of 8.
        let odd = try ClientPrefixes(["172.16.0.0/12=mid"])
        #expect(odd.region(of: "172.31.255.255") == "mid")
        #expect(odd.region(of: "172.32.0.0") == nil)
        #expect(try ClientPrefixes(["0.0.0.0/0=all"]).region(of: "8.8.8.8") == "all")
    }

    @Test("bad entries are refused with the entry named", arguments: [
        "10.0.0.0/8", "10.0.0.0/33=eu", "10.0.0/8=eu", "10.0.0.0/8=", "10.0.0.0/8=bad region", "::/129=x", "10.0.0.0/-1=x",
    ])
    func refused(entry: String) {
        let error = #expect(throws: RegionConfigurationError.self) { try ClientPrefixes([entry]) }
        #expect(error?.description.contains("route.prefixes") == true)
    }

    @Test("at most 1,024 prefixes")
    func tooMany() {
        #expect(throws: RegionConfigurationError.self) {
            try ClientPrefixes((0...1_024).map { "10.\($0 / 256).\($0 % 256).0/24=r" })
        }
    }
}
