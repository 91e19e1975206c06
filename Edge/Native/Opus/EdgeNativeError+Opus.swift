internal import COpus

extension EdgeNativeError {
    /// An `.opus` error carrying `opus_strerror`'s text for `status`.
    static func opus(_ status: Int32, _ operation: String) -> EdgeNativeError {
        EdgeNativeError(
            code: .opus, message: "\(operation): \(String(cString: opus_strerror(status)))", status: status
        )
    }
}
