import Foundation

/// A failed precondition or expectation of an integration test, with its account.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A loopback port below the ephemeral range that nothing listens on right now.
public func freePort() throws -> Int { try freeLoopbackPort(in: 17_000..<24_000) }

/// Polls `condition` every 50 ms until it holds or `timeout` passes; returns its last answer.
public func eventually(timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
