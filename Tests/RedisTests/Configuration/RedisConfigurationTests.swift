@testable import StreamLyRedis
import Testing
import StreamLyRetry

@Suite struct RedisConfigurationTests {
    @Test func parsesHostPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://127.0.0.1:16379/3")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 16379)
        #expect(configuration.database == 3)
        #expect(configuration.password == nil)
    }

    @Test func defaultsPortAndDatabase() throws {
        let configuration = try RedisConfiguration(url: "redis://cache.internal")
        #expect(configuration.port == 6379)
        #expect(configuration.database == nil)
    }

    @Test func parsesCredentialsAndIPv6() throws {
        let parsed = try RedisURL(parsing: "redis://edge:p%40ss%3Aword@[::1]:7000/0")
        #expect(parsed.host == "::1")
        #expect(parsed.port == 7000)
        #expect(parsed.database == 0)
        #expect(parsed.username == "edge")
        #expect(parsed.password == "p@ss:word")
        #expect(try RedisURL(parsing: "redis://:secret@h").password == "secret")
        #expect(try RedisURL(parsing: "redis://:secret@h").username == nil)
    }

    @Test(arguments: ["http://h", "redis://", "redis://h:0", "redis://h:99999", "redis://h:x", "redis://h/-1", "redis://[::1", "redis://u:%zz@h"])
    func rejectsInvalidURLs(_ url: String) {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
    }

    @Test func backoffGrowsWithJitterAndCap() {
        let backoff = RetryPolicy(base: .milliseconds(50), cap: .seconds(1), floor: .milliseconds(10))
        #expect(backoff.ceiling(attempt: 0) == .milliseconds(50))
        #expect(backoff.ceiling(attempt: 3) == .milliseconds(400))
        #expect(backoff.ceiling(attempt: 40) == .seconds(1))
        #expect(backoff.delay(attempt: 2, unit: 0.5) == .milliseconds(100))
        #expect(backoff.delay(attempt: 2, unit: 0) == .milliseconds(10))
    }

    @Test func expiryRoundsUpToWholeMilliseconds() throws {
        #expect(try RedisClient.milliseconds(.microseconds(1)) == 1)
        #expect(try RedisClient.milliseconds(.seconds(2)) == 2000)
        #expect(throws: RedisError.self) { try RedisClient.milliseconds(.zero) }
    }
}
