// libFuzzer target `edge-input` (Tests/Fuzz/run.sh edge-input): the edge's parsers of bytes a
// client sends. Not part of any SwiftPM target: run.sh compiles it with the parser files that
// target.conf lists, against instrumented builds of StreamLyAPI and StreamLySFU.
//
// Input layout: byte 0 selects the parser (value % 6), the rest is what the client sent:
//   0  a WebSocket text frame: ClientRequest.parse (rtc.* included)
//   1  a REST JSON body: every request shape the edge and origin decode, re-encoded and decoded
//   2  a Range header: bytes 1...5 the representation's size (little endian, < 2^40), the rest
//      the header value
//   3  tus headers: the rest split at 0x0A into Upload-Length, Upload-Defer-Length,
//      Upload-Metadata, Upload-Checksum, Upload-Offset
//   4  an HLS path below /vod/: `video/rest`, split at "/" as the router does
//   5  a playback token for the video id "vid-1", checked at a time taken from the token
//
// Checked invariants (a violation traps, which libFuzzer reports as a crash): nothing traps;
// a parsed request re-validates (its strings stay within the documented limits); a satisfiable
// range lies inside the representation and comes from ASCII digits only; byte counts are non-negative; a parsed VODPath prints
// to a path that parses to itself; a token verifies only when it is exactly what the codec
// signs for its video and expiry.
import Foundation
import StreamLyAPI

let limits = GatewayLimits()
let playbackKey = Array("edge-input-fuzzer-playback-key-0123456789abcdef".utf8)
let tokens = try! PlaybackTokenCodec(key: playbackKey)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    guard let selector = input.first else { return 0 }
    let body = Array(input.dropFirst())
    switch selector % 6 {
    case 0: checkClientRequest(body)
    case 1: checkRESTBodies(body)
    case 2: checkRange(body)
    case 3: checkTus(body)
    case 4: checkVODPath(String(decoding: body, as: UTF8.self))
    default: checkPlaybackToken(String(decoding: body, as: UTF8.self))
    }
    return 0
}

func checkClientRequest(_ frame: [UInt8]) {
    switch ClientRequest.parse(frame, limits: limits) {
    case .failure(let invalid):
        precondition(!invalid.message.isEmpty, "an Invalid without a message")
    case .success(let (id, request)):
        if case .string(let value)? = id { precondition(value.utf8.count <= 64, "id over 64 bytes") }
        switch request {
        case .auth(let token): precondition(!token.isEmpty && token.utf8.count <= 8_192)
        case .subscribe(let channel, let since): precondition(valid(channel) && (since ?? 0) >= 0)
        case .unsubscribe(let channel), .typing(let channel): precondition(valid(channel))
        case .publish(let channel, let clientID, let body, let attachments):
            precondition(valid(channel) && !clientID.isEmpty && clientID.utf8.count <= 64)
            precondition(body.utf8.count <= limits.maxBodyBytes && !body.utf8.contains(0) && !clientID.utf8.contains(0))
            precondition(attachments.count <= limits.maxAttachments)
        case .watch(let video), .unwatch(let video): precondition(UUID(uuidString: video) != nil && video == video.lowercased())
        case .rtc(let rtc):
            switch rtc {
            case .offer(let sdp, _), .answer(let sdp): precondition(!sdp.isEmpty && sdp.utf8.count <= limits.maxSDPBytes)
            case .join(let channel): precondition(valid(channel))
            case .candidate(let pc, let candidate): precondition((pc == "pub" || pc == "sub") && candidate.utf8.count <= 512)
            case .mute(let track, _), .quality(let track, _): precondition(!track.isEmpty && track.utf8.count <= 64)
            case .leave: break
            }
        case .ping: break
        }
    }
}

func valid(_ channel: String) -> Bool { !channel.isEmpty && channel.utf8.count <= 64 && !channel.utf8.contains(0) }

func checkRESTBodies(_ body: [UInt8]) {
    let data = Data(body)
    roundTrip(API.Credentials.self, data)
    roundTrip(API.RefreshRequest.self, data)
    roundTrip(API.CreateChannel.self, data)
    roundTrip(API.AddMember.self, data)
    roundTrip(API.CreateVideo.self, data)
    roundTrip(API.CreateAttachment.self, data)
    _ = try? JSONDecoder().decode(API.ErrorBody.self, from: data)
}

func roundTrip<T: Codable>(_ type: T.Type, _ data: Data) {
    guard let value = try? JSONDecoder().decode(T.self, from: data) else { return }
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    guard let encoded = try? encoder.encode(value) else { preconditionFailure("\(T.self) decoded but does not encode") }
    guard let again = try? JSONDecoder().decode(T.self, from: encoded), let reencoded = try? encoder.encode(again) else {
        preconditionFailure("\(T.self) does not decode its own encoding: \(String(decoding: encoded, as: UTF8.self))")
    }
    precondition(encoded == reencoded, "\(T.self) encoding is not a fixpoint")
}

func checkRange(_ body: [UInt8]) {
    guard body.count >= 5 else { return }
    let size = body.prefix(5).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = String(decoding: body.dropFirst(5), as: UTF8.self)
    switch ByteRangeRequest(header: header, size: size) {
    case .whole, .unsatisfiable: break
    case .partial(let range):
        precondition(range.lowerBound >= 0 && range.upperBound < size, "range \(range) outside 0..<\(size)")
        // RFC 9110 §14.1.1: positions are ASCII digits; nothing else may select a range.
        let spec = header.utf8.drop { $0 == 0x20 || $0 == 0x09 }.dropFirst(6)
        precondition(spec.allSatisfy { (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x20 || $0 == 0x09 },
                     "a range from a header that is not ASCII digits: \(Array(header.utf8))")
    }
    _ = ByteRangeRequest(header: nil, size: size)
}

func checkTus(_ body: [UInt8]) {
    var fields = body.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    while fields.count < 5 { fields.append("") }
    func field(_ index: Int) -> String? { fields[index].isEmpty ? nil : fields[index] }
    if let length = try? TusHeaders.creationLength(length: field(0), deferLength: field(1)) {
        precondition(length >= 0, "negative Upload-Length")
    }
    if let metadata = try? TusHeaders.metadata(field(2)) {
        precondition(TusHeaders.title(metadata).count <= 200, "title over 200 characters")
    }
    if let checksum = try? TusHeaders.checksum(fields[3]) {
        precondition(checksum.split(separator: " ").count == 2, "checksum not normalised")
    }
    if let offset = TusHeaders.byteCount(field(4)) { precondition(offset >= 0, "negative Upload-Offset") }
}

func checkVODPath(_ path: String) {
    let components = path.split(separator: "/", omittingEmptySubsequences: false)
    guard let video = components.first else { return }
    _ = VODPath.isValidVideoID(video)
    guard let parsed = VODPath(components: Array(components.dropFirst())) else { return }
    precondition(VODPath(parsed.relativePath) == parsed, "\(parsed.relativePath) does not parse back to itself")
    _ = (parsed.isPlaylist, parsed.contentType)
}

func checkPlaybackToken(_ token: String) {
    // The time: the token's own expiry part when it has one (so unexpired and expired are both
    // reached), else now.
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    let expiry = parts.count == 3 ? Int64(parts[1]) : nil
    let now = Date(timeIntervalSince1970: Double(expiry ?? 1_700_000_000) - 1)
    guard let grant = try? tokens.verify(token, videoID: "vid-1", now: now) else { return }
    precondition(grant.videoID == "vid-1", "a grant for another video")
    // sign(expiresAt:) takes a Date (a Double): only expiries it represents exactly compare.
    guard grant.expiresAt < 1 << 53 else { return }
    let expected = tokens.sign(videoID: "vid-1", expiresAt: Date(timeIntervalSince1970: Double(grant.expiresAt)))
    precondition(expected == token, "a token verified that the codec would not have signed: \(token)")
}

/// Writes the seeds (run.sh edge-input --seeds: FUZZ_WRITE_SEEDS names the folder).
func seeds() -> [String: [UInt8]] {
    let frames: [String: String] = [
        "ws-auth": #"{"op":"auth","token":"eyJhbGciOiJIUzI1NiJ9.e30.sig","id":1}"#,
        "ws-subscribe": #"{"op":"subscribe","channel":"3f2a","since":12,"id":"a"}"#,
        "ws-publish": #"{"op":"publish","channel":"c","client_id":"k1","body":"héllo","attachments":["a1"],"id":2}"#,
        "ws-typing": #"{"op":"typing","channel":"c"}"#,
        "ws-watch": #"{"op":"watch","video":"6F9619FF-8B86-D011-B42D-00C04FC964FF"}"#,
        "ws-rtc-offer": #"{"op":"rtc.offer","pc":"pub","sdp":"v=0\r\n","sources":{"0":"camera"}}"#,
        "ws-rtc-candidate": #"{"op":"rtc.candidate","pc":"sub","candidate":"candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host"}"#,
        "ws-rtc-quality": #"{"op":"rtc.quality","track":"t1","quality":"low"}"#,
    ]
    let bodies: [String: String] = [
        "rest-credentials": #"{"username":"ann","password":"password123"}"#,
        "rest-refresh": #"{"refresh_token":"abc.def"}"#,
        "rest-channel": #"{"name":"general","private":true}"#,
        "rest-member": #"{"user_id":"6f9619ff-8b86-d011-b42d-00c04fc964ff"}"#,
        "rest-video": #"{"title":"clip","size":1048576,"visibility":"unlisted"}"#,
        "rest-attachment": #"{"filename":"a.png","content_type":"image/png","size":1000}"#,
    ]
    var out: [String: [UInt8]] = [:]
    for (name, text) in frames { out[name] = [0] + Array(text.utf8) }
    for (name, text) in bodies { out[name] = [1] + Array(text.utf8) }
    let size: [UInt8] = [0x00, 0x10, 0x00, 0x00, 0x00]  // 4096
    for (name, header) in ["range-start": "bytes=0-99", "range-suffix": "bytes=-500", "range-open": "bytes=4000-",
                           "range-multi": "bytes=0-1,5-9"] {
        out[name] = [2] + size + Array(header.utf8)
    }
    out["tus-create"] = [3] + Array("1000\n\nfilename YS5tcDQ=,title Y2xpcA==\nsha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=\n0".utf8)
    out["tus-defer"] = [3] + Array("\n1\nk\nmd5 1B2M2Y8AsgTpgAmY7PhCfg==\n512".utf8)
    for (name, path) in ["vod-master": "vid-1/master.m3u8", "vod-segment": "vid-1/720p/seg_00001.m4s",
                         "vod-init": "abc_DEF/audio/init.mp4", "vod-poster": "v/poster.jpg"] {
        out[name] = [4] + Array(path.utf8)
    }
    out["token-valid"] = [5] + Array(tokens.sign(videoID: "vid-1", expiresAt: Date(timeIntervalSince1970: 1_900_000_000)).utf8)
    out["token-other"] = [5] + Array(tokens.sign(videoID: "vid-2", expiresAt: Date(timeIntervalSince1970: 1_900_000_000)).utf8)
    return out
}

/// `run.sh --seeds` sets FUZZ_WRITE_SEEDS and runs the binary with no input: write and exit.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let folder = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] else { return 0 }
    for (name, bytes) in seeds() {
        _ = FileManager.default.createFile(atPath: "\(folder)/seed-\(name)", contents: Data(bytes))
    }
    exit(0)
}
