import StreamLyConfig

/// What one user may hold (`quota.*`), and how long never-completed uploads and attachments
/// are kept before the sweep removes them (`sweep.*`). Over a quota a request is refused with
/// 403 `quota_exceeded`.
public struct QuotaSettings: Sendable {
    /// Public and private channels one user may create (`quota.channels.per.user`).
    public var channelsPerUser = 100
    /// Videos one user may have, whatever their state (`quota.videos.per.user`).
    public var videosPerUser = 100
    /// Videos one user may have still `uploading` (`quota.uploads.pending.per.user`).
    public var pendingUploadsPerUser = 5
    /// Bytes of all of one user's videos (`quota.video.bytes.per.user`); a deferred-length
    /// upload counts as `vod.upload.max.bytes` until its length is declared.
    public var videoBytesPerUser: Int64 = 50 << 30
    /// Attachments one user may have announced but not yet sent in a message
    /// (`quota.attachments.pending.per.user`).
    public var pendingAttachmentsPerUser = 50
    /// Bytes of all of one user's attachments (`quota.attachment.bytes.per.user`).
    public var attachmentBytesPerUser: Int64 = 5 << 30
    /// An upload still `uploading` this long after its last byte is removed, with its stored
    /// parts (`sweep.upload.age.seconds`).
    public var uploadMaxAgeSeconds = 86_400
    /// An attachment announced this long ago and never sent in a message is removed, with
    /// its object (`sweep.attachment.age.seconds`).
    public var attachmentMaxAgeSeconds = 86_400
    /// How often each origin sweeps (`sweep.interval.seconds`).
    public var sweepIntervalSeconds = 300

    public init() {}

    init(_ values: ConfigValues) throws {
        channelsPerUser = try values.int("quota.channels.per.user", default: channelsPerUser, range: 1...1_000_000)
        videosPerUser = try values.int("quota.videos.per.user", default: videosPerUser, range: 1...1_000_000)
        pendingUploadsPerUser = try values.int("quota.uploads.pending.per.user", default: pendingUploadsPerUser, range: 1...10_000)
        videoBytesPerUser = Int64(try values.int("quota.video.bytes.per.user", default: Int(videoBytesPerUser), range: 1...(1 << 50)))
        pendingAttachmentsPerUser = try values.int("quota.attachments.pending.per.user", default: pendingAttachmentsPerUser,
                                                   range: 1...100_000)
        attachmentBytesPerUser = Int64(try values.int("quota.attachment.bytes.per.user", default: Int(attachmentBytesPerUser),
                                                      range: 1...(1 << 50)))
        uploadMaxAgeSeconds = try values.int("sweep.upload.age.seconds", default: uploadMaxAgeSeconds, range: 1...31_536_000)
        attachmentMaxAgeSeconds = try values.int("sweep.attachment.age.seconds", default: attachmentMaxAgeSeconds,
                                                 range: 1...31_536_000)
        sweepIntervalSeconds = try values.int("sweep.interval.seconds", default: sweepIntervalSeconds, range: 1...86_400)
    }
}
