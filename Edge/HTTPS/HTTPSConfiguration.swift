/// The edge's TLS listener (`https.*`, docs/configuration.md): HTTP/2 and HTTP/1.1 chosen by
/// ALPN on one port, the same routes as the plain HTTP port.
public struct HTTPSConfiguration: Sendable {
    /// False turns the listener off (`https.enabled`).
    public var enabled: Bool
    public var host: String
    /// 0 picks a free port (logged at start-up).
    public var port: Int
    /// PEM certificate chain and private key; both nil: a self-signed certificate kept in
    /// `stateDirectory` (generated on first run).
    public var certificatePath: String?
    public var keyPath: String?
    public var stateDirectory: String

    public init(enabled: Bool = true, host: String = "127.0.0.1", port: Int = 8443, certificatePath: String? = nil,
                keyPath: String? = nil, stateDirectory: String = ".state/edge-tls") {
        self.enabled = enabled
        self.host = host
        self.port = port
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.stateDirectory = stateDirectory
    }
}
