import Foundation
import JWTKit

/// Why an OIDC token was refused: told to the client in a 401.
public struct GitHubOIDCRefusal: Error, Sendable, Equatable {
    /// What was wrong, in words a workflow's author can act on.
    public let reason: String
}

/// The issuer's keys could not be fetched (down, an error, too slow, not a JWKS): a 503, since
/// the same token may be accepted once the issuer answers again.
public struct GitHubOIDCUnavailable: Error, Sendable {
    /// What failed (never a token).
    public let reason: String
}

/// Verifies GitHub Actions OIDC tokens: RS256 against the issuer's JWKS (found through its
/// OpenID configuration), then `iss`, `aud`, `exp`, `nbf` and `iat` with a small leeway. The keys
/// are cached; a token with a key id not in the cache fetches them again (GitHub rotates its
/// keys), at most once per `refreshFloor`, so that made-up key ids cannot make pvdify hammer the issuer.
public actor GitHubOIDCVerifier {
    /// Fetches a URL and returns its body (a non-2xx answer throws); given by the daemon.
    public typealias Fetch = @Sendable (URL) async throws -> Data

    /// The `iss` tokens must carry, without a trailing slash.
    public let issuer: String
    /// The value `aud` must contain.
    public let audience: String
    private let fetch: Fetch
    private let refreshFloor: Duration
    private let maxAge: Duration
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    static let leeway: TimeInterval = 60
    /// A JWKS larger than this many keys is refused (GitHub publishes a handful).
    static let maxKeys = 20
    static let maxTokenBytes = 16 << 10

    private var keys = JWTKeyCollection()
    private var kids: Set<String> = []
    private var fetchedAt: ContinuousClock.Instant?
    private var refreshing: Task<Void, any Error>?

    /// A verifier for tokens of `issuer` (an https URL, or http on loopback for tests) meant for `audience`.
    public init(issuer: String, audience: String, refreshFloor: Duration = .seconds(2), maxAge: Duration = .seconds(3600), fetch: @escaping Fetch) {
        self.issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.audience = audience
        self.refreshFloor = refreshFloor
        self.maxAge = maxAge
        self.fetch = fetch
    }

    /// The token's claims once every check passed; throws `GitHubOIDCRefusal` or `GitHubOIDCUnavailable`.
    func verify(_ token: String, now: Date = Date()) async throws -> GitHubOIDCClaims {
        guard token.utf8.count <= Self.maxTokenBytes else { throw GitHubOIDCRefusal(reason: "the token is too long to be a GitHub OIDC token") }
        let header: JWTHeader
        do {
            header = try DefaultJWTParser().parse([UInt8](token.utf8), as: GitHubOIDCClaims.self).header
        } catch {
            throw GitHubOIDCRefusal(reason: "the token is not a well-formed JWT")
        }
        guard header.alg == "RS256" else { throw GitHubOIDCRefusal(reason: "the token must be signed with RS256") }
        guard let kid = header.kid, !kid.isEmpty else { throw GitHubOIDCRefusal(reason: "the token names no signing key (kid)") }
        if !kids.contains(kid) {
            try await refresh()
        } else if isStale {
            // A known key still verifies while the issuer is out of reach.
            try? await refresh()
        }
        guard kids.contains(kid) else { throw GitHubOIDCRefusal(reason: "unknown signing key '\(Self.printable(kid))': not in the issuer's JWKS") }
        let claims: GitHubOIDCClaims
        do {
            claims = try await keys.verify(token, as: GitHubOIDCClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw GitHubOIDCRefusal(reason: "bad signature: the token was not signed by the issuer's key '\(Self.printable(kid))'")
        } catch {
            throw GitHubOIDCRefusal(reason: "the token could not be verified (bad signature or malformed claims)")
        }
        try checkClaims(claims, now: now)
        return claims
    }

    /// `iss`, `aud` and the times; each failure names its claim.
    func checkClaims(_ claims: GitHubOIDCClaims, now: Date) throws {
        guard let iss = claims.iss?.value, iss == issuer else {
            throw GitHubOIDCRefusal(reason: "wrong issuer: the token's iss is not \(issuer)")
        }
        guard let aud = claims.aud?.value, aud.contains(audience) else {
            throw GitHubOIDCRefusal(reason: "wrong audience: the token's aud must be '\(audience)' (request the token with audience=\(audience))")
        }
        guard let exp = claims.exp?.value else { throw GitHubOIDCRefusal(reason: "the token has no exp claim") }
        guard exp.addingTimeInterval(Self.leeway) > now else { throw GitHubOIDCRefusal(reason: "the token has expired") }
        if let nbf = claims.nbf?.value, nbf.addingTimeInterval(-Self.leeway) > now {
            throw GitHubOIDCRefusal(reason: "the token is not valid yet (nbf is in the future)")
        }
        if let iat = claims.iat?.value, iat.addingTimeInterval(-Self.leeway) > now {
            throw GitHubOIDCRefusal(reason: "the token is not valid yet (iat is in the future)")
        }
    }

    private var isStale: Bool {
        guard let fetchedAt else { return true }
        return fetchedAt.duration(to: .now) > maxAge
    }

    /// Fetches the JWKS again, unless it was fetched less than `refreshFloor` ago (then the
    /// cached keys answer). Concurrent callers share one fetch.
    private func refresh() async throws {
        if let fetchedAt, fetchedAt.duration(to: .now) < refreshFloor, !isStale { return }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.load() }
        refreshing = task
        defer { refreshing = nil }
        try await task.value
    }

    private func load() async throws {
        let configurationURL = try url(issuer + "/.well-known/openid-configuration")
        let configuration = try await get(configurationURL)
        guard let object = try? JSONSerialization.jsonObject(with: configuration) as? [String: Any],
              let jwksText = object["jwks_uri"] as? String
        else { throw GitHubOIDCUnavailable(reason: "the issuer's OpenID configuration has no jwks_uri") }
        let body = try await get(try url(jwksText))
        guard let jwks = try? JSONDecoder().decode(JWKS.self, from: body) else {
            throw GitHubOIDCUnavailable(reason: "the issuer's jwks_uri did not answer a JWKS")
        }
        let usable = jwks.keys.filter { $0.keyType == .rsa && $0.keyIdentifier != nil }.prefix(Self.maxKeys)
        let fresh = JWTKeyCollection()
        var found: Set<String> = []
        for key in usable {
            guard let kid = key.keyIdentifier?.string, (try? await fresh.add(jwk: key)) != nil else { continue }
            found.insert(kid)
        }
        keys = fresh
        kids = found
        fetchedAt = .now
    }

    private func url(_ text: String) throws -> URL {
        guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http", url.host != nil else {
            throw GitHubOIDCUnavailable(reason: "the issuer named an unusable URL")
        }
        return url
    }

    private func get(_ url: URL) async throws -> Data {
        do {
            return try await fetch(url)
        } catch let error as GitHubOIDCUnavailable {
            throw error
        } catch {
            throw GitHubOIDCUnavailable(reason: "the issuer's keys could not be fetched from \(url.host ?? "the issuer")")
        }
    }

    /// A key id as it may be shown in a message: printable ASCII, at most 64 characters.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7f }.prefix(64)))
    }
}
