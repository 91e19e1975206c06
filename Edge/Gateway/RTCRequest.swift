import StreamLyAPI
import StreamLySFU

/// A conference signaling request (`op:"rtc.*"`, DESIGN.md "Conference signaling").
public enum RTCRequest: Sendable, Equatable {
    case join(channel: String)
    /// The client's offer on its `pub` connection; `sources` optionally names each mid's source.
    case offer(sdp: String, sources: [String: TrackSource])
    /// The client's answer to the edge's `sub` offer.
    case answer(sdp: String)
    /// A trickled candidate (the edge is ICE-lite: validated, then not needed).
    case candidate(pc: String, candidate: String)
    case mute(track: String, muted: Bool)
    case quality(track: String, quality: VideoQuality)
    case leave

    struct Failure: Error {
        var code: API.ErrorCode
        var message: String
    }

    static func parse(op: String, pc: String?, channel: String?, sdp: String?, candidate: String?, track: String?,
                      muted: Bool?, quality: String?, sources: [String: String]?,
                      limits: GatewayLimits) -> Result<RTCRequest, Failure> {
        func fail(_ code: API.ErrorCode, _ message: String) -> Result<RTCRequest, Failure> {
            .failure(Failure(code: code, message: message))
        }
        func sdpText() -> Result<String, Failure> {
            guard let sdp, !sdp.isEmpty else { return .failure(Failure(code: .badRequest, message: "\(op) needs an sdp")) }
            guard sdp.utf8.count <= limits.maxSDPBytes else {
                return .failure(Failure(code: .tooLarge, message: "sdp exceeds \(limits.maxSDPBytes) bytes"))
            }
            return .success(sdp)
        }
        func trackID() -> String? {
            guard let track, !track.isEmpty, track.utf8.count <= 64 else { return nil }
            return track
        }
        switch op {
        case "rtc.join":
            guard let channel else { return fail(.badRequest, "rtc.join needs a channel") }
            return .success(.join(channel: channel))
        case "rtc.offer":
            guard pc == "pub" else { return fail(.badRequest, "clients offer only on pc \"pub\"; the edge offers on \"sub\"") }
            var named: [String: TrackSource] = [:]
            for (mid, source) in sources ?? [:] {
                guard mid.utf8.count <= 32, let value = TrackSource(rawValue: source), named.count < 16 else {
                    return fail(.badRequest, "sources maps mids to \"camera\", \"microphone\" or \"screen\"")
                }
                named[mid] = value
            }
            return sdpText().map { .offer(sdp: $0, sources: named) }
        case "rtc.answer":
            guard pc == "sub" else { return fail(.badRequest, "clients answer only on pc \"sub\"") }
            return sdpText().map { .answer(sdp: $0) }
        case "rtc.candidate":
            guard let pc, pc == "pub" || pc == "sub" else { return fail(.badRequest, "rtc.candidate needs pc \"pub\" or \"sub\"") }
            guard let candidate, candidate.utf8.count <= 512 else {
                return fail(.badRequest, "rtc.candidate needs a candidate of at most 512 bytes")
            }
            let value = candidate.hasPrefix("candidate:") ? candidate.dropFirst("candidate:".count) : candidate[...]
            guard candidate.isEmpty || SDPCandidate(sdpValue: value) != nil else {
                return fail(.badRequest, "candidate is not an RFC 8839 candidate attribute")
            }
            return .success(.candidate(pc: pc, candidate: candidate))
        case "rtc.mute":
            guard let track = trackID(), let muted else { return fail(.badRequest, "rtc.mute needs a track and muted") }
            return .success(.mute(track: track, muted: muted))
        case "rtc.quality":
            guard let track = trackID(), let quality = quality.flatMap(VideoQuality.init(rawValue:)) else {
                return fail(.badRequest, "rtc.quality needs a track and quality \"high\", \"medium\", \"low\" or \"off\"")
            }
            return .success(.quality(track: track, quality: quality))
        case "rtc.leave":
            return .success(.leave)
        default:
            return fail(.unknownOp, "unknown op \(op.prefix(32))")
        }
    }
}
