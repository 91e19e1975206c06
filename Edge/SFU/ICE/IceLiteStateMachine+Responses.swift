import NIOCore

/// The responses an ICE-lite agent sends (RFC 8445 §7.3.1.1; RFC 8489 §6.3).
extension IceLiteStateMachine {
    /// Binding success: same transaction id, XOR-MAPPED-ADDRESS = the request's source,
    /// MESSAGE-INTEGRITY keyed with the local password, FINGERPRINT.
    func successResponse(to request: StunMessage, on tuple: FiveTuple) -> ByteBuffer {
        let response = StunMessage(type: .bindingSuccess, transactionID: request.transactionID, attributes: [
            .xorMappedAddress(tuple.remote, transactionID: request.transactionID),
        ])
        return response.serialize(integrityKey: local.integrityKey, fingerprint: true)
    }

    /// Binding error with ERROR-CODE (and UNKNOWN-ATTRIBUTES for 420), signed when the request
    /// was authenticated, always fingerprinted.
    func errorResponse(to request: StunMessage, _ code: StunErrorCode, signed: Bool = true,
                       unknown: [StunAttributeType] = []) -> ByteBuffer {
        var response = StunMessage(type: .bindingError, transactionID: request.transactionID,
                                   attributes: [.errorCode(code)])
        if !unknown.isEmpty {
            var value = ByteBuffer()
            for type in unknown {
                value.writeInteger(type.rawValue)
            }
            response.attributes.append(StunAttribute(type: .unknownAttributes, value: value))
        }
        return response.serialize(integrityKey: signed ? local.integrityKey : nil, fingerprint: true)
    }
}
