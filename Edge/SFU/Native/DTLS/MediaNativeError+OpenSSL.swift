internal import COpenSSL

extension MediaNativeError {
    /// A `.tls` error whose message is `context` followed by every entry on this thread's
    /// OpenSSL error queue, which is emptied so later calls start clean.
    static func openSSL(_ context: String) -> MediaNativeError {
        var details: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while case let code = ERR_get_error(), code != 0 {
            ERR_error_string_n(code, &buffer, buffer.count)
            details.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let message = details.isEmpty ? context : "\(context): \(details.joined(separator: "; "))"
        return MediaNativeError(code: .tls, message: message)
    }
}
