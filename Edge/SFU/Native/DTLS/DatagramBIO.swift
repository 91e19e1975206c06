internal import COpenSSL

/// The packet queues behind a `DTLSSession`'s BIO. OpenSSL reads whole datagrams from
/// `inbound` and writes whole datagrams (one DTLS record each) to `outbound`, so datagram
/// boundaries survive, unlike with a memory BIO.
final class DatagramBIO {
    /// Datagrams received from the peer, not yet read by OpenSSL.
    var inbound: [[UInt8]] = []
    /// Datagrams OpenSSL wrote, not yet handed to the caller.
    var outbound: [[UInt8]] = []

    /// Creates a BIO reading and writing this object's queues. The BIO does not retain
    /// `self`; the owner must keep `self` alive for as long as the BIO.
    func makeBIO() throws -> OpaquePointer {
        guard let method = DatagramBIOMethod.shared.method, let bio = BIO_new(method) else {
            throw MediaNativeError.openSSL("creating the datagram BIO failed")
        }
        BIO_set_data(bio, Unmanaged.passUnretained(self).toOpaque())
        BIO_set_init(bio, 1)
        return bio
    }

    /// Removes and returns all datagrams written by OpenSSL.
    func takeOutbound() -> [[UInt8]] {
        defer { outbound.removeAll(keepingCapacity: true) }
        return outbound
    }

    fileprivate static func from(_ bio: OpaquePointer?) -> DatagramBIO {
        Unmanaged<DatagramBIO>.fromOpaque(BIO_get_data(bio)!).takeUnretainedValue()
    }
}

/// The process-wide BIO_METHOD for `DatagramBIO`, created once and never freed.
// @unchecked Sendable: the BIO_METHOD is fully set up in `init` (run once under swift_once)
// and only read afterwards; OpenSSL treats a BIO_METHOD as immutable shared data.
private final class DatagramBIOMethod: @unchecked Sendable {
    static let shared = DatagramBIOMethod()

    let method: OpaquePointer?

    private init() {
        let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "streamly-datagram")
        if let method {
            BIO_meth_set_write(method) { bio, data, length in
                guard let data, length >= 0 else { return -1 }
                streamly_BIO_clear_retry_flags(bio)
                let bytes = UnsafeRawBufferPointer(start: data, count: Int(length))
                DatagramBIO.from(bio).outbound.append(Array(bytes))
                return length
            }
            BIO_meth_set_read(method) { bio, buffer, capacity in
                guard let buffer, capacity >= 0 else { return -1 }
                streamly_BIO_clear_retry_flags(bio)
                let state = DatagramBIO.from(bio)
                guard !state.inbound.isEmpty else {
                    streamly_BIO_set_retry_read(bio)
                    return -1
                }
                // Datagram semantics: a datagram larger than the buffer is truncated.
                let datagram = state.inbound.removeFirst()
                let count = min(datagram.count, Int(capacity))
                datagram.withUnsafeBytes { source in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress!, byteCount: count)
                }
                return Int32(count)
            }
            BIO_meth_set_ctrl(method) { _, command, _, _ in
                // Flushing is a no-op; every other control (MTU queries, peer address,
                // timeouts) is unsupported, which DTLS handles because the MTU is set explicitly.
                command == BIO_CTRL_FLUSH ? 1 : 0
            }
        }
        self.method = method
    }
}
