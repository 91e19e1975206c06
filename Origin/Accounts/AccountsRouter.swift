import Foundation
import StreamLyAPI
import StreamLyRetry
import StreamLyLink
import StreamLyStore

/// Answers the account methods edges call (`auth.*` in `ChatLink.Method`): sign-up, log-in
/// and token refresh.
struct AccountsRouter: Sendable {
    let accounts: AccountService

    static func make(_ infrastructure: Infrastructure) async throws -> AccountsRouter {
        let database = infrastructure.database
        let tokens = try await TokenService(
            configuration: .init(signingKey: Array(infrastructure.configuration.jwtSecret.utf8)), database: database)
        let settings = infrastructure.configuration.accounts
        return AccountsRouter(accounts: AccountService(
            users: UserStore(database: database), tokens: tokens,
            hashPool: PasswordHashPool(threads: settings.hashThreads, queue: settings.hashQueue),
            limits: AccountLimits(login: .perMinute(settings.loginsPerMinute), refresh: .perMinute(settings.refreshesPerMinute))))
    }

    /// Handles `request` if it is an account method; returns false otherwise.
    func handle(_ request: LinkInboundRequest) async throws -> Bool {
        try await request.answering {
            switch request.method {
            case ChatLink.Method.signup:
                let body = try await request.decode(API.Credentials.self)
                try await request.reply(try await accounts.signup(username: body.username, password: body.password), status: 201)
            case ChatLink.Method.login:
                let body = try await request.decode(API.Credentials.self)
                try await request.reply(try await accounts.login(username: body.username, password: body.password))
            case ChatLink.Method.lookupUsers:
                _ = try request.user()
                let body = try await request.decode(API.UserLookup.self)
                let found: [User]
                switch (body.username, body.ids) {
                case (let username?, nil):
                    found = try await accounts.users.find(username: username).map { [$0] } ?? []
                case (nil, let ids?) where ids.count <= API.UserLookup.maxIDs:
                    found = try await accounts.users.find(ids: ids.compactMap(UUID.init(uuidString:)))
                default:
                    throw ReplyError.badRequest("give either username or at most \(API.UserLookup.maxIDs) ids")
                }
                try await request.reply(API.UserList(users: found.map {
                    API.User(id: $0.id.uuidString.lowercased(), username: $0.username)
                }))
            case ChatLink.Method.refresh:
                let body = try await request.decode(API.RefreshRequest.self)
                try await request.reply(try await accounts.refresh(refreshToken: body.refreshToken))
            default:
                return false
            }
            return true
        }
    }
}
