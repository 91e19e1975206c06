import NIOCore

extension ConnectionLimiter {
    /// Admits an accepted `channel`, counting it until it closes, or closes it at once when a
    /// limit is reached (no byte is read from it). Returns whether it was admitted.
    public func admit(_ channel: any Channel, metrics: ListenerMetrics) -> Bool {
        let client = ClientAddress(channel.remoteAddress)
        switch admit(client) {
        case .admitted:
            metrics.open.increment()
            channel.closeFuture.whenComplete { _ in
                self.release(client)
                metrics.open.decrement()
            }
            return true
        case .refusedTotal:
            metrics.refusedTotal.increment()
        case .refusedPerAddress:
            metrics.refusedPerAddress.increment()
        }
        channel.close(promise: nil)
        return false
    }
}

/// What a listener's child-channel initializer fails with when the limiter refused the
/// connection (it is closed already).
public struct ConnectionRefused: Error, CustomStringConvertible {
    public let listener: String
    public init(listener: String) { self.listener = listener }
    public var description: String { "connection refused by the \(listener) listener's connection limits" }
}
