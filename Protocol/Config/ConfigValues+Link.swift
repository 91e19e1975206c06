import StreamLyLink
import StreamLyProtocol

extension ConfigValues {
    /// Link tuning under `link.*`: frame size, windows, concurrent streams, heartbeat.
    public func linkSettings() throws -> LinkSettings {
        var settings = LinkSettings()
        let window = Int(LinkSettings.maxWindow)
        settings.maxFrameSize = UInt32(try int("link.max.frame", default: Int(settings.maxFrameSize),
                                                range: Int(LinkSettings.minMaxFrameSize)...Int(LinkSettings.maxMaxFrameSize)))
        settings.initialStreamWindow = UInt32(try int("link.stream.window", default: Int(settings.initialStreamWindow), range: 65_536...window))
        settings.connectionWindow = UInt32(try int("link.connection.window", default: Int(settings.connectionWindow), range: 65_536...window))
        settings.maxConcurrentStreams = UInt32(try int("link.max.streams", default: Int(settings.maxConcurrentStreams), range: 1...1_000_000))
        settings.heartbeatIntervalMilliseconds = UInt32(try int("link.heartbeat.ms", default: Int(settings.heartbeatIntervalMilliseconds), range: 100...600_000))
        return settings
    }

    /// Link TLS settings under `link.tls.*`, nil unless `link.tls.enabled` is true.
    public func linkTLS() throws -> LinkTLSConfiguration? {
        guard try bool("link.tls.enabled", default: false) else { return nil }
        return LinkTLSConfiguration(
            certificatePath: optionalString("link.tls.cert"), keyPath: optionalString("link.tls.key"),
            caPath: optionalString("link.tls.ca"), requireClientCertificate: try bool("link.tls.clientauth", default: false)
        )
    }
}
