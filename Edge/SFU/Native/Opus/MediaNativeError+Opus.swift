internal import COpus

extension MediaNativeError {
    /// An `.opus` error carrying `opus_strerror`'s text for `status`.
    static func opus(_ status: Int32, _ operation: String) -> MediaNativeError {
        MediaNativeError(
            code: .opus, message: "\(operation): \(String(cString: opus_strerror(status)))", status: status
        )
    }
}
