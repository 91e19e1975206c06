import NIOCore

/// Bytes from hex as RFCs print it (spaces and line breaks ignored). Test input only.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = Array(text.filter(\.isHexDigit))
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(digits[$0...$0 + 1]), radix: 16) }
}

/// A buffer holding the bytes of `text` (hex).
func hexBuffer(_ text: String) -> ByteBuffer {
    ByteBuffer(bytes: hexBytes(text))
}
