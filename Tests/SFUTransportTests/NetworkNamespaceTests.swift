import Testing
import WebRTCTestSupport

/// The harness itself: a namespace exists with its veth pair while the test runs and is gone
/// after `remove()`; two namespaces get different names and subnets.
@Suite(.enabled(if: NetworkNamespace.isSupported, "needs root for ip netns"))
struct NetworkNamespaceTests {
    @Test func namespacesAreDistinctAndRemoved() throws {
        let first = try NetworkNamespace.create()
        let second = try NetworkNamespace.create()
        #expect(first.exists && second.exists)
        #expect(first.name != second.name)
        #expect(first.hostAddress != second.hostAddress && first.peerAddress != second.peerAddress)
        first.remove()
        second.remove()
        #expect(!first.exists && !second.exists)
    }
}
