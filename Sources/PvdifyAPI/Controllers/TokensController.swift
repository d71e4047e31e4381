import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `/tokens` (admin) and `/whoami`.
struct TokensController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/whoami", scope: .read, whoami)
        routes.add(.get, "/api/v1/tokens", scope: .admin, list)
        routes.add(.post, "/api/v1/tokens", scope: .admin, create)
        routes.add(.delete, "/api/v1/tokens/{id}", scope: .admin, revoke)
    }

    @Sendable func whoami(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let token = context.token else { throw APIError.unauthorized() }
        return try .json(Present.token(token))
    }

    @Sendable func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try .json(["tokens": .array(try await services.store.tokens().map(Present.token))])
    }

    /// `{"name": "gh-actions", "scopes": ["deploy"], "apps": ["myapp"], "expires_in": "30d"}`: 201
    /// with the secret, once. Admin tokens cannot be limited to apps, and no token can make a token
    /// with more scopes or apps than it has itself.
    @Sendable func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        try body.rejectUnknown(allowed: ["name", "scopes", "apps", "expires_in", "expires_at"])
        let name = try body.requiredString("name")
        guard (1...64).contains(name.count),
              name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "@._-".unicodeScalars.contains($0)) })
        else { throw APIError.invalid("must be 1 to 64 letters, digits, '@', '.', '_' or '-'", field: "name") }
        guard let scopeNames = try body.stringArray("scopes"), !scopeNames.isEmpty else {
            throw APIError.invalid("name at least one of read, deploy, write, admin", field: "scopes")
        }
        let scopes = try scopeNames.enumerated().map { index, text in
            guard let scope = Scope(rawValue: text) else {
                throw APIError.invalid("must be one of read, deploy, write, admin", field: "scopes[\(index)]")
            }
            return scope
        }
        let apps = try body.stringArray("apps")
        for (index, app) in (apps ?? []).enumerated() {
            if let problem = Rules.appName(app) { throw APIError.invalid("App name \(problem)", field: "apps[\(index)]") }
        }
        if scopes.contains(.admin) && apps != nil {
            throw APIError.invalid(
                "an admin token cannot be limited to apps (it manages tokens and the audit log, which belong to no app); use write",
                field: "apps")
        }
        let expiresAt = try Self.expiry(body)
        let granted = Array(Set(scopes)).sorted()
        let grantedApps = apps.map { Array(Set($0)).sorted() }
        guard let creator = context.token, creator.mayGrant(scopes: granted, apps: grantedApps) else {
            throw APIError.forbidden("A token can only create tokens within its own scopes and apps")
        }
        let (token, secret) = try await services.store.createToken(
            name: name, scopes: granted, apps: grantedApps, expiresAt: expiresAt)
        guard case .object(var value) = Present.token(token) else { throw APIError.internalError }
        value["token"] = .string(secret)
        return try .json(.object(value), status: .created)
    }

    /// Revokes another token. A token cannot revoke itself: that would lock its holder out with
    /// one request (a fuzzer or a script gone wrong); another admin token can.
    @Sendable func revoke(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = context.parameter("id")
        guard context.token?.id != id else {
            throw APIError.conflict("A token cannot revoke itself; revoke it with another admin token")
        }
        try await services.store.revokeToken(id: id)
        services.streams.end(id)
        return .noContent()
    }

    /// `expires_in` (`30d`, `12h`, `90m`) or `expires_at` (RFC 3339, in the future), not both; nil: never.
    static func expiry(_ body: FieldReader, now: Date = Date()) throws -> Date? {
        let lifetime = try body.string("expires_in")
        let moment = try body.string("expires_at")
        switch (lifetime, moment) {
        case (nil, nil):
            return nil
        case (.some, .some):
            throw APIError.invalid("give expires_in or expires_at, not both", field: "expires_at")
        case (let text?, nil):
            guard let seconds = TokenLifetime.seconds(text) else {
                throw APIError.invalid("must be a duration from 1s to 3650d, like 30d, 12h or 90m", field: "expires_in")
            }
            return now.addingTimeInterval(TimeInterval(seconds))
        case (nil, let text?):
            guard let date = Timestamps.parse(text) else {
                throw APIError.invalid("must be an RFC 3339 time like 2026-01-05T11:00:00Z", field: "expires_at")
            }
            guard date > now, date.timeIntervalSince(now) <= TimeInterval(TokenLifetime.maxSeconds) else {
                throw APIError.invalid("must be in the future, at most 3650 days from now", field: "expires_at")
            }
            return date
        }
    }
}
