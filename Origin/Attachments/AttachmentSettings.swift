/// Limits of chat attachments (`attachments.*`).
public struct AttachmentSettings: Sendable {
    /// Largest attachment (`attachments.max.bytes`).
    public var maxBytes: Int64 = 100 << 20
    /// Lifetime of a presigned PUT URL in seconds (`attachments.upload.expiry`).
    public var uploadExpiry = 900
    /// Lifetime of a presigned GET URL in seconds (`attachments.download.expiry`).
    public var downloadExpiry = 300

    public init() {}
}
