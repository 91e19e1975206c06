extension API {
    /// The `code` of an `{error: {code, message}}` body (docs/api.md, "Errors"), and of the
    /// WebSocket `error` event. Extensible: a client meets codes it does not know by their
    /// HTTP status. Encoded as the bare string.
    public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }

        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }

        public var description: String { rawValue }

        // Requests
        /// The request is malformed (body, query, header or frame).
        public static let badRequest = ErrorCode("bad_request")
        /// A well-formed request with a value the origin refuses (a name, a title, a limit).
        public static let invalidInput = ErrorCode("invalid_input")
        /// A body, file or frame exceeds a documented limit.
        public static let tooLarge = ErrorCode("too_large")
        /// The WebSocket op is not one the gateway knows.
        public static let unknownOp = ErrorCode("unknown_op")
        /// A tus request without `Tus-Resumable: 1.0.0`.
        public static let unsupportedVersion = ErrorCode("unsupported_version")
        /// A tus PATCH with another Content-Type than `application/offset+octet-stream`.
        public static let unsupportedMediaType = ErrorCode("unsupported_media_type")
        /// The operation is not supported by this deployment (e.g. attachments on local storage).
        public static let notSupported = ErrorCode("not_supported")

        // Identity and access
        /// No token, or an invalid or expired one; also wrong credentials.
        public static let unauthorized = ErrorCode("unauthorized")
        /// The user may not do this (not a member, a bad playback token).
        public static let forbidden = ErrorCode("forbidden")
        /// No such resource, or not visible to this user.
        public static let notFound = ErrorCode("not_found")
        /// The access token has expired: refresh it.
        public static let tokenExpired = ErrorCode("token_expired")
        /// The token is not one the origins signed.
        public static let invalidToken = ErrorCode("invalid_token")
        /// A refresh token was used twice: the whole session is revoked (log in again).
        public static let refreshTokenReused = ErrorCode("refresh_token_reused")
        /// The resource exists already (a taken user name, a duplicate).
        public static let conflict = ErrorCode("conflict")

        // Limits
        /// Too many requests; retry after the `Retry-After` header's seconds (429).
        public static let rateLimited = ErrorCode("rate_limited")
        /// The user has as many channels, uploads or attachments (or bytes) as they may (403).
        public static let quotaExceeded = ErrorCode("quota_exceeded")
        /// The session subscribes to as many channels as it may.
        public static let tooManySubscriptions = ErrorCode("too_many_subscriptions")
        /// The session watches as many videos as it may.
        public static let tooManyWatches = ErrorCode("too_many_watches")
        /// A publish or typing for a channel the session has not subscribed to.
        public static let notSubscribed = ErrorCode("not_subscribed")

        // Calls (rtc.*)
        /// `rtc.join` while the connection is already in a call.
        public static let alreadyInCall = ErrorCode("already_in_call")
        /// An `rtc.*` request from a connection that is not in a call.
        public static let notInCall = ErrorCode("not_in_call")
        /// The call has as many participants as it may.
        public static let callFull = ErrorCode("call_full")
        /// An SDP offer or answer that is malformed or that the edge cannot serve (the message says why).
        public static let invalidSDP = ErrorCode("invalid_sdp")
        /// `rtc.mute`/`rtc.quality` naming a track the participant does not publish / receive.
        public static let unknownTrack = ErrorCode("unknown_track")
        /// `rtc.answer` when no `sub` offer waits for one.
        public static let noOfferPending = ErrorCode("no_offer_pending")

        // Uploads and attachments
        /// A tus PATCH whose `Upload-Offset` is not the stored offset.
        public static let offsetMismatch = ErrorCode("offset_mismatch")
        /// A tus PATCH whose `Upload-Checksum` does not match its body (460).
        public static let checksumMismatch = ErrorCode("checksum_mismatch")
        /// Another request holds the upload right now.
        public static let locked = ErrorCode("locked")
        /// A message names an attachment that does not exist or is not the author's.
        public static let unknownAttachment = ErrorCode("unknown_attachment")
        /// A message names an attachment whose file was never uploaded.
        public static let attachmentNotUploaded = ErrorCode("attachment_not_uploaded")
        /// An attachment's stored file is larger than it declared.
        public static let attachmentTooLarge = ErrorCode("attachment_too_large")

        // Service
        /// No origin (or dependency) could take the request now; retry.
        public static let unavailable = ErrorCode("unavailable")
        /// Object storage could not be reached; retry.
        public static let storageUnavailable = ErrorCode("storage_unavailable")
        /// The operation did not complete in time; its outcome is unknown (retry with the same `client_id`).
        public static let timeout = ErrorCode("timeout")
        /// An origin's answer could not be understood.
        public static let badOriginAnswer = ErrorCode("bad_origin_answer")
        /// A link request named a method no origin serves.
        public static let unknownMethod = ErrorCode("unknown_method")
        /// An origin answered an error without a code.
        public static let originError = ErrorCode("origin_error")
        /// The origin is misconfigured for this request.
        public static let configuration = ErrorCode("configuration")
        /// An unexpected failure on our side.
        public static let `internal` = ErrorCode("internal")
    }
}
