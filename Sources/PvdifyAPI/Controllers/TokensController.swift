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

    /// `{"name": "gh-actions", "scopes": ["deploy"], "apps": ["myapp"]}`: 201 with the secret, once.
    @Sendable func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        try body.rejectUnknown(allowed: ["name", "scopes", "apps"])
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
        let (token, secret) = try await services.store.createToken(
            name: name, scopes: Array(Set(scopes)).sorted(), apps: apps.map { Array(Set($0)).sorted() })
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
        return .noContent()
    }
}
