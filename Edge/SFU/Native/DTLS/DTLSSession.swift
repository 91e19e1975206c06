internal import COpenSSL

/// One DTLS association (RFC 6347) driven by datagrams, with DTLS-SRTP key export
/// (RFC 5764). It performs no I/O: the owner passes received datagrams in and sends the
/// datagrams it gets back, and calls `handleTimeout()` when `retransmissionTimeout` elapses.
///
/// Not thread-safe: an SSL object belongs to one task or event loop.
public final class DTLSSession {
    /// The context this session was created from.
    public let context: DTLSContext
    /// Whether the handshake has completed.
    public private(set) var isHandshakeComplete = false
    /// Whether the peer sent close_notify.
    public private(set) var isClosedByPeer = false

    /// The SSL*; owns the BIO.
    private let ssl: OpaquePointer
    /// The queues the BIO reads and writes; must outlive `ssl`.
    private let transport = DatagramBIO()
    /// Application data (e.g. SCTP for data channels) received after the handshake.
    private var applicationData: [[UInt8]] = []

    /// The label of the DTLS-SRTP exporter (RFC 5764 §4.2).
    private static let exporterLabel = "EXTRACTOR-dtls_srtp"

    /// Creates a session in `context`'s role.
    /// - Parameter mtu: the largest datagram the session writes (UDP payload bytes).
    public init(context: DTLSContext, mtu: Int = 1200) throws {
        guard (256...65_507).contains(mtu) else {
            throw MediaNativeError(code: .invalidArgument, message: "DTLS MTU \(mtu) is outside 256...65507")
        }
        guard let ssl = SSL_new(context.context) else { throw MediaNativeError.openSSL("SSL_new failed") }
        let bio: OpaquePointer
        do {
            bio = try transport.makeBIO()
        } catch {
            SSL_free(ssl)
            throw error
        }
        // The SSL takes the BIO's single reference, as read and write BIO alike.
        SSL_set_bio(ssl, bio, bio)
        SSL_set_options(ssl, streamly_SSL_OP_NO_QUERY_MTU())
        guard streamly_DTLS_set_link_mtu(ssl, mtu) == 1 else {
            SSL_free(ssl)
            throw MediaNativeError.openSSL("DTLS_set_link_mtu(\(mtu)) failed")
        }
        switch context.role {
        case .server: SSL_set_accept_state(ssl)
        case .client: SSL_set_connect_state(ssl)
        }
        self.context = context
        self.ssl = ssl
    }

    deinit {
        SSL_free(ssl)
    }

    /// Starts the handshake. A client returns its ClientHello; a server returns nothing.
    public func start() throws -> [[UInt8]] {
        try advance()
        return transport.takeOutbound()
    }

    /// Processes one datagram from the peer and returns the datagrams to send in reply.
    /// After the handshake, decrypted application data is queued for `readApplicationData()`.
    public func receive(_ datagram: [UInt8]) throws -> [[UInt8]] {
        transport.inbound.append(datagram)
        try advance()
        if isHandshakeComplete {
            try readRecords()
        }
        return transport.takeOutbound()
    }

    /// The next application-data record received after the handshake, if any.
    public func readApplicationData() -> [UInt8]? {
        applicationData.isEmpty ? nil : applicationData.removeFirst()
    }

    /// Encrypts application data and returns the datagrams to send.
    public func write(applicationData data: [UInt8]) throws -> [[UInt8]] {
        guard isHandshakeComplete else {
            throw MediaNativeError(code: .invalidArgument, message: "DTLS write before the handshake completed")
        }
        guard !data.isEmpty, data.count <= Int(Int32.max) else {
            throw MediaNativeError(code: .invalidArgument, message: "DTLS write of \(data.count) bytes")
        }
        ERR_clear_error()
        let written = data.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        guard written == Int32(data.count) else { throw MediaNativeError.openSSL("SSL_write failed") }
        return transport.takeOutbound()
    }

    /// How long until `handleTimeout()` must be called, or nil when no timer is running.
    public var retransmissionTimeout: Duration? {
        var left = timeval()
        guard streamly_DTLSv1_get_timeout(ssl, &left) == 1 else { return nil }
        return .seconds(left.tv_sec) + .microseconds(left.tv_usec)
    }

    /// Retransmits the last flight if its timer expired; returns the datagrams to send.
    /// Throws when OpenSSL gives up after too many retransmissions.
    public func handleTimeout() throws -> [[UInt8]] {
        ERR_clear_error()
        guard streamly_DTLSv1_handle_timeout(ssl) >= 0 else {
            throw MediaNativeError.openSSL("DTLS handshake timed out")
        }
        return transport.takeOutbound()
    }

    /// The SRTP profile chosen in the handshake, or nil before completion or without `use_srtp`.
    public var selectedSRTPProfile: SRTPProfile? {
        guard isHandshakeComplete, let profile = SSL_get_selected_srtp_profile(ssl) else { return nil }
        return SRTPProfile(id: UInt16(truncatingIfNeeded: profile.pointee.id))
    }

    /// SHA-256 fingerprint ("AB:CD:…") of the peer's certificate, to compare with the
    /// `a=fingerprint` attribute of the remote SDP; nil before the peer sent one.
    public func peerCertificateFingerprint() throws -> String? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        return try SelfSignedCertificate.fingerprint(of: certificate)
    }

    /// Exports the SRTP master keys for both directions after a completed handshake.
    public func srtpKeyingMaterial() throws -> SRTPKeyingMaterial {
        guard let profile = selectedSRTPProfile else {
            throw MediaNativeError(code: .tls, message: "no SRTP profile negotiated (handshake incomplete?)")
        }
        guard profile.isSupported else {
            throw MediaNativeError(code: .tls, message: "negotiated unsupported SRTP profile \(profile)")
        }
        var exported = [UInt8](repeating: 0, count: SRTPKeyingMaterial.exportLength(for: profile))
        ERR_clear_error()
        guard SSL_export_keying_material(
            ssl, &exported, exported.count, Self.exporterLabel, Self.exporterLabel.utf8.count, nil, 0, 0
        ) == 1 else { throw MediaNativeError.openSSL("SSL_export_keying_material failed") }
        return SRTPKeyingMaterial(profile: profile, exported: exported, isClient: context.role == .client)
    }

    private func advance() throws {
        guard !isHandshakeComplete else { return }
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            isHandshakeComplete = true
            return
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return
        default:
            throw MediaNativeError.openSSL("DTLS handshake failed")
        }
    }

    private func readRecords() throws {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            ERR_clear_error()
            let count = SSL_read(ssl, &buffer, Int32(buffer.count))
            if count > 0 {
                applicationData.append(Array(buffer[0..<Int(count)]))
                continue
            }
            switch SSL_get_error(ssl, count) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return
            case SSL_ERROR_ZERO_RETURN:
                isClosedByPeer = true
                return
            default:
                throw MediaNativeError.openSSL("DTLS read failed")
            }
        }
    }
}
