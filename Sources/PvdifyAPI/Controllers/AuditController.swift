import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `GET /audit` (admin): who changed what, and which requests were refused, newest first.
struct AuditController {
    let services: APIServices

    static let maxLimit = 1_000

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/audit", scope: .admin, list)
    }

    /// Filters: `app`, `token` (id or name), `since`, `until` (RFC 3339), `limit` (1...1000, default 100).
    @Sendable func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let entries = try await services.store.auditEntries(try Self.parse(request))
        return try .json(["entries": .array(entries.map(Self.present))])
    }

    static func parse(_ request: Request) throws -> AuditQuery {
        let parameters = request.uri.queryParameters
        // A filter given empty (`?app=`) is refused like any other bad value, not read as "no filter".
        func text(_ name: String) -> String? {
            parameters[Substring(name)].map(String.init)
        }
        func time(_ name: String) throws -> Date? {
            guard let value = text(name) else { return nil }
            guard let date = Timestamps.parse(value) else {
                throw APIError.invalid("must be an RFC 3339 time like 2026-01-05T11:00:00Z", field: name)
            }
            return date
        }
        var query = AuditQuery()
        if let app = text("app") {
            // A DNS label, as app names are: a letter first, no `-` last.
            guard RequestGate.plausibleAppName(app) != nil, app.first?.isLetter == true, app.last != "-" else {
                throw APIError.invalid("must be an app name", field: "app")
            }
            query.app = app
        }
        if let token = text("token") {
            guard (1...64).contains(token.count) else { throw APIError.invalid("must be a token id or name", field: "token") }
            query.token = token
        }
        query.since = try time("since")
        query.until = try time("until")
        if let limit = text("limit") {
            guard let value = Int(limit), (1...maxLimit).contains(value) else {
                throw APIError.invalid("must be an integer between 1 and \(maxLimit)", field: "limit")
            }
            query.limit = value
        }
        return query
    }

    static func present(_ entry: AuditEntry) -> JSONValue {
        [
            "id": .number(entry.id.map(Int.init)),
            "time": .time(entry.time),
            "token_id": .text(entry.tokenID),
            "token_name": .text(entry.tokenName),
            "source": .text(entry.source),
            "method": .string(entry.method),
            "route": .text(entry.route),
            "app": .text(entry.app),
            "status": .int(entry.status),
            "outcome": .string(entry.outcome),
        ]
    }
}
