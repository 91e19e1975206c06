import Foundation
import PostgresNIO

/// `ChannelStore.access`'s statement, prepared once per connection: every publish asks it
/// (see `AppendMessageStatement`).
struct ChannelAccessStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT c.kind, EXISTS (SELECT 1 FROM memberships m WHERE m.channel_id = c.id AND m.user_id = $1)
        FROM channels c WHERE c.id = $2
        """

    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid]

    typealias Row = (kind: String, isMember: Bool)

    var userID: UUID
    var channelID: UUID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(userID)
        bindings.append(channelID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (kind, isMember) = try row.decode((String, Bool).self)
        return (kind, isMember)
    }
}
