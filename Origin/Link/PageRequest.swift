import Foundation

/// A keyset-paged list request (`limit`, `cursor` = the id of the last row of the previous
/// page), checked: what `GET /channels` and `GET /videos` share.
struct PageRequest {
    let limit: Int
    /// Rows after this id; nil for the first page.
    let after: UUID?

    init(limit: Int?, cursor: String?, defaultLimit: Int, maxLimit: Int) throws {
        self.limit = limit ?? defaultLimit
        guard (1...maxLimit).contains(self.limit) else { throw ReplyError.badRequest("limit must be 1-\(maxLimit)") }
        if let cursor {
            guard let id = UUID(uuidString: cursor) else { throw ReplyError.badRequest("cursor is not one this API returned") }
            after = id
        } else {
            after = nil
        }
    }

    /// Fetches one row more than the page holds (`fetch(after, count)`) to tell whether a next
    /// page exists; returns the page and the next page's cursor.
    func fetch<Row>(_ fetch: (UUID?, Int) async throws -> [Row], id: (Row) -> UUID) async throws -> (rows: [Row], next: String?) {
        var rows = try await fetch(after, limit + 1)
        let more = rows.count > limit
        if more { rows.removeLast() }
        return (rows, more ? rows.last.map { id($0).uuidString.lowercased() } : nil)
    }
}
