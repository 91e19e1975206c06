import NIOCore

extension LinkConnectionStateMachine {
    /// HELLO → WELCOME → AUTH → AUTH_OK, with version and auth-method negotiation.
    mutating func receiveHandshake(_ frame: LinkFrame) -> ReceiveAction {
        switch (state, frame) {
        case (.serverAwaitingHello(let serverNonce), .hello(let hello)):
            let versions = configuration.versions
            let low = max(hello.minVersion, versions.lowerBound)
            let high = min(hello.maxVersion, versions.upperBound)
            guard low <= high else {
                return failHandshake(.unsupportedVersion,
                    "peer speaks versions \(hello.minVersion)...\(hello.maxVersion), this node \(versions.lowerBound)...\(versions.upperBound)")
            }
            let version = high
            let offered = hello.authMethods.intersection(configuration.authenticator.methods)
            let method: LinkAuthMethods
            if offered.contains(.mutualTLS) {
                method = .mutualTLS
            } else if offered.contains(.clusterSecret) {
                method = .clusterSecret
            } else {
                return failHandshake(.authFailed, "no authentication method in common")
            }
            let context = LinkAuthContext(
                version: version, method: method, clientNodeID: hello.nodeID, serverNodeID: configuration.nodeID,
                clientNonce: hello.nonce, serverNonce: serverNonce
            )
            let peer = LinkPeer(nodeID: hello.nodeID, role: hello.role, version: version,
                                authMethod: method, settings: hello.settings)
            state = .serverAwaitingAuth(context, peer)
            return .send(.welcome(.init(
                version: version, nodeID: configuration.nodeID, role: configuration.role,
                authMethod: method, nonce: serverNonce, settings: configuration.settings
            )))

        case (.clientAwaitingWelcome(let clientNonce), .welcome(let welcome)):
            guard configuration.versions.contains(welcome.version) else {
                return failHandshake(.unsupportedVersion, "peer chose version \(welcome.version), not offered")
            }
            guard configuration.authenticator.methods.contains(welcome.authMethod),
                  welcome.authMethod == .clusterSecret || welcome.authMethod == .mutualTLS
            else {
                return failHandshake(.authFailed, "peer chose an authentication method that was not offered")
            }
            let context = LinkAuthContext(
                version: welcome.version, method: welcome.authMethod, clientNodeID: configuration.nodeID,
                serverNodeID: welcome.nodeID, clientNonce: clientNonce, serverNonce: welcome.nonce
            )
            let peer = LinkPeer(nodeID: welcome.nodeID, role: welcome.role, version: welcome.version,
                                authMethod: welcome.authMethod, settings: welcome.settings)
            state = .clientAwaitingAuthOK(context, peer)
            return .send(.auth(.init(proof: configuration.authenticator.proof(.client, context: context))))

        case (.serverAwaitingAuth(let context, let peer), .auth(let auth)):
            guard configuration.authenticator.verify(auth.proof, of: .client, context: context) else {
                return failHandshake(.authFailed, "authentication failed: wrong cluster secret")
            }
            state = .active(Active(configuration: configuration, peer: peer))
            handshakeDeadline = nil
            return .established(peer, reply: .authOK(.init(proof: configuration.authenticator.proof(.server, context: context))))

        case (.clientAwaitingAuthOK(let context, let peer), .authOK(let ok)):
            guard configuration.authenticator.verify(ok.proof, of: .server, context: context) else {
                return failHandshake(.authFailed, "authentication failed: the origin's proof is wrong")
            }
            state = .active(Active(configuration: configuration, peer: peer))
            handshakeDeadline = nil
            return .established(peer, reply: nil)

        case (_, .goAway(let goAway)):
            state = .closed
            return .goAway(goAway, refused: [], close: true)

        default:
            return failHandshake(.protocolError, "unexpected \(frame.type) during handshake")
        }
    }

    private mutating func failHandshake(_ code: LinkErrorCode, _ message: String) -> ReceiveAction {
        let error = LinkProtocolError(code, message)
        state = .closed
        return .fail(error, frame: .goAway(.init(lastStreamID: .connection, code: code, reason: message)))
    }
}
