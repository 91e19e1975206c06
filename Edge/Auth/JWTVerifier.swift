import StreamLyTokens

/// Verifies access tokens locally with the key the origins sign with.
struct JWTVerifier: AccessTokenVerifier {
    let codec: AccessTokenCodec

    func verify(_ token: String) async throws -> VerifiedUser {
        let claims = try await codec.verify(token)
        return VerifiedUser(id: claims.sub.value, name: claims.username, expiresAt: claims.expiresAt.timeIntervalSince1970)
    }
}
