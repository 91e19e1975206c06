import Foundation
import StreamLyAPI
import StreamLyLink
import StreamLyStore

/// `edges.announce`, `edges.withdraw`, `edges.list`: the edge directory (`Protocol/README.md`,
/// "Edge directory"), kept in PostgreSQL so every origin answers the same.
struct EdgeDirectoryRouter: Sendable {
    let edges: EdgeStore

    /// Filter of `edges.list`.
    struct ListFilter: Codable {
        var call: String?
    }

    func handle(_ request: LinkInboundRequest) async throws -> Bool {
        try await request.answering {
            switch request.method {
            case EdgeDirectoryLink.Method.announce:
                let announcement = try await request.decode(EdgeDirectoryLinkBodies.Announcement.self)
                if let problem = announcement.problem { throw ReplyError(status: 400, code: .invalidInput, message: problem) }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let record = String(decoding: try encoder.encode(announcement), as: UTF8.self)
                let entries = try await edges.announce(id: announcement.id, region: announcement.region, record: record,
                                                       calls: announcement.calls, ttlMS: Int64(announcement.ttlMS))
                try await request.reply(Self.directory(entries))
            case EdgeDirectoryLink.Method.withdraw:
                let withdrawal = try await request.decode(EdgeDirectoryLinkBodies.Withdrawal.self)
                try await edges.withdraw(id: withdrawal.id)
                try await request.responder.respond(status: 204, metadata: [:], body: .init())
            case EdgeDirectoryLink.Method.list:
                let filter = (try? await request.decode(ListFilter.self)) ?? ListFilter()
                if let call = filter.call, !(1...64).contains(call.utf8.count) {
                    throw ReplyError.badRequest("call must be 1-64 bytes")
                }
                try await request.reply(Self.directory(try await edges.live(hosting: filter.call)))
            default:
                return false
            }
            return true
        }
    }

    /// The stored entries as the link answer; a row whose record no longer decodes is left out.
    static func directory(_ entries: [EdgeStore.Entry]) -> EdgeDirectoryLinkBodies.Directory {
        let decoder = JSONDecoder()
        return .init(edges: entries.compactMap { entry in
            (try? decoder.decode(EdgeDirectoryLinkBodies.Announcement.self, from: Data(entry.record.utf8)))
                .map { .init(edge: $0, expiresInMS: Int(entry.expiresInMS)) }
        })
    }
}
