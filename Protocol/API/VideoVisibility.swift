extension API {
    /// Who may see a video: the `visibility` of `POST /videos`, `PATCH /videos/{id}` and
    /// `GET /videos/{id}` (docs/api.md, "Videos"). Encoded as the bare string.
    public enum VideoVisibility: String, Hashable, Sendable, Codable, CaseIterable {
        /// Only the owner.
        case `private`
        /// Anyone signed in who has the id (the default).
        case unlisted
        /// Anyone signed in; listed by `GET /videos`.
        case `public`
    }
}
