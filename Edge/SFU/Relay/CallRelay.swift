import Foundation
import Logging
import NIOCore
import Synchronization

/// The cascade's public face (issue 14): links an edge's calls to the same calls on other
/// edges over the relay socket (`RelayServer`). The edge directory decides which edges host a
/// call and calls `link(call:to:)` / `unlink(call:from:)`; until it exists,
/// `RelayConfiguration.staticPeers` links every call to a fixed list of edges
/// (`linkStaticPeers`, installed by `start`), which is the seam it replaces.
///
/// Links are symmetric: each side may open one; a hello for a call this edge hosts opens the
/// link here too (the peer is authenticated by the cluster secret). A call's links close with it.
public final class CallRelay<Transport: CallTransport>: Sendable {
    public let server: RelayServer
    public let registry: CallRegistry<Transport>
    private let staticPeers: [SocketAddress]

    /// - Throws: `RelayError` when a static peer is not `ip:port`.
    public init(server: RelayServer, registry: CallRegistry<Transport>) throws(RelayError) {
        self.server = server
        self.registry = registry
        var peers: [SocketAddress] = []
        for peer in server.configuration.staticPeers {
            peers.append(try Self.address(peer))
        }
        staticPeers = peers
    }

    /// `ip:port` (IPv6 as `[ip]:port`) → a socket address.
    public static func address(_ text: String) throws(RelayError) -> SocketAddress {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            throw RelayError("relay peer \(text) is not ip:port")
        }
        let host = text[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard let address = try? SocketAddress(ipAddress: host, port: port) else {
            throw RelayError("relay peer \(text): \(host) is not an IP address")
        }
        return address
    }

    /// Binds the relay socket, accepts links peers open, and links new calls to the static peers.
    public func start() async throws {
        server.setAcceptor { [registry] call, peer, hello in
            guard let handle = registry.existing(call) else { return }
            handle.eventLoop.execute {
                let call = handle.call.value
                guard !call.isClosed else { return }
                let link = Self.existingLink(call, peer) ?? Self.makeLink(call, server: self.server, peer: peer)
                link?.receive(.hello(hello))
            }
        }
        if !staticPeers.isEmpty {
            registry.onCallCreated { [server, staticPeers] handle in
                handle.eventLoop.execute {
                    for peer in staticPeers { _ = Self.existingLink(handle.call.value, peer) ?? Self.makeLink(handle.call.value, server: server, peer: peer) }
                }
            }
        }
        try await server.start()
    }

    public func shutdown() async {
        await server.shutdown()
    }

    /// Links `call` (a channel id) on this edge to the same call on the edge whose relay socket
    /// is `peer`: hellos until the peer answers, then tracks flow both ways as subscribers need
    /// them. False when this edge has no such call or the link limit is reached; true (and
    /// nothing new) when the link exists.
    @discardableResult
    public func link(call channel: String, to peer: SocketAddress) async -> Bool {
        let server = self.server
        let linked = try? await registry.withCall(channel, create: false) { call in
            (Self.existingLink(call, peer) ?? Self.makeLink(call, server: server, peer: peer)) != nil
        }
        return linked ?? false
    }

    /// Closes the link (the peer hears a `bye` and drops this edge's tracks; this edge drops the peer's).
    public func unlink(call channel: String, from peer: SocketAddress) async {
        _ = try? await registry.withCall(channel, create: false) { call in
            Self.existingLink(call, peer)?.close(sayBye: true)
        }
    }

    /// The peers `call` is linked to, and whether each link is established.
    public func links(call channel: String) async -> [(peer: SocketAddress, established: Bool)] {
        let links = try? await registry.withCall(channel, create: false) { call in
            call.relays.compactMap { $0 as? RelayLink<Transport> }.map { ($0.peer, $0.machine.session != nil) }
        }
        return links ?? []
    }

    static func existingLink(_ call: Call<Transport>, _ peer: SocketAddress) -> RelayLink<Transport>? {
        call.relays.lazy.compactMap { $0 as? RelayLink<Transport> }.first { $0.peer == peer }
    }

    static func makeLink(_ call: Call<Transport>, server: RelayServer, peer: SocketAddress) -> RelayLink<Transport>? {
        guard !call.isClosed else { return nil }
        let link = RelayLink(call: call, server: server, peer: peer)
        guard link.open() else { return nil }
        call.relays.append(link)
        return link
    }
}

/// A relay configuration or API error.
public struct RelayError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
