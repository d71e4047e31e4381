import HTTPTypes
import Hummingbird
import PvdifyModel
import PvdifyStore

/// Every endpoint the API serves, with the scope it needs. Registering through here is the only way
/// to add a route, so authorization is checked in one place and the route list can be compared
/// with `manifests/openapi.yaml`.
public final class RouteTable: @unchecked Sendable {
    /// One registered endpoint (`{param}` templated path).
    public struct Endpoint: Sendable, Hashable {
        public let method: HTTPRequest.Method
        public let path: String
        /// nil: no token needed (health).
        public let scope: Scope?
        /// Whether the route may create releases, so that it counts against the deploy limit.
        public let createsReleases: Bool
    }

    public private(set) var endpoints: [Endpoint] = []
    /// The segment counts of the routes that need no token.
    private var publicPatternLengths: Set<Int> = []
    let router: Router<APIRequestContext>
    let access: AppAccess

    init(router: Router<APIRequestContext>, access: AppAccess) {
        self.router = router
        self.access = access
    }

    typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response

    /// Adds a route; the handler runs only for a token with `scope` that reaches the `{name}` app.
    /// A route that `createsReleases` reserves a deploy slot before it runs (see `RequestGate`).
    /// A GET route also answers HEAD (RFC 9110 9.3.2): the same status and headers, and the
    /// outermost middleware drops the body. HEAD is not listed in `endpoints` (nor in the spec).
    func add(
        _ method: HTTPRequest.Method, _ path: String, scope: Scope?, createsReleases: Bool = false, _ handler: @escaping Handler
    ) {
        endpoints.append(Endpoint(method: method, path: path, scope: scope, createsReleases: createsReleases))
        if scope == nil { publicPatternLengths.insert(path.split(separator: "/", omittingEmptySubsequences: false).count) }
        let access = access
        let specWrite = ManagedAppGuard.isSpecWrite(method, path)
        let previewWrite = ManagedAppGuard.isPreviewWrite(method, path)
        let guarded: Handler = { request, context in
            if let scope {
                guard let token = context.token else { throw APIError.unauthorized() }
                guard token.allows(scope) else {
                    throw APIError.forbidden("This token has no '\(scope.rawValue)' scope")
                }
                if let app = context.parameters.get("name"), try await !access.allows(token, app: app) {
                    throw APIError.forbidden("This token may not access app '\(app)'")
                }
            }
            if specWrite, let app = context.parameters.get("name"), let source = try await access.store.managingSource(app) {
                throw APIError.conflict(Store.managedMessage(app: app, source: source))
            }
            if previewWrite, let app = context.parameters.get("name"), let parent = try? await access.store.app(app).app.previewOf {
                throw APIError.conflict(
                    "App '\(app)' is a preview of '\(parent)': it is derived from '\(parent)' and its previews section; change those instead")
            }
            return try await handler(request, context)
        }
        router.on(RouterPath(path), method: method, use: guarded)
        if method == .get { router.on(RouterPath(path), method: .head, use: guarded) }
    }

    /// Whether a request needs no token: its route was added with no scope (health, a source's
    /// webhook). A wrong method on such a path needs none either, so that it is told 405.
    func isPublic(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        // Most requests match no public pattern's length: they are answered without the full match.
        let count = path.split(separator: "/", omittingEmptySubsequences: false).count
        guard publicPatternLengths.contains(count) else { return false }
        let matches = bestMatches(path)
        let method = method == .head ? .get : method
        if let endpoint = matches.first(where: { $0.method == method }) { return endpoint.scope == nil }
        return matches.contains { $0.scope == nil }
    }

    /// The methods served on a concrete path, for 405 answers and their `Allow` header.
    func methods(matching path: String) -> [HTTPRequest.Method] {
        var methods = bestMatches(path).map(\.method)
        if methods.contains(.get) { methods.append(.head) }
        return methods
    }

    /// The endpoint serving `method` on a concrete path, with the path's `{name}` (the app), if any.
    func endpoint(_ method: HTTPRequest.Method, _ path: String) -> (Endpoint, app: String?)? {
        guard let endpoint = bestMatches(path).first(where: { $0.method == method }) else { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let pattern = endpoint.path.split(separator: "/", omittingEmptySubsequences: false)
        let app = zip(pattern, parts).first { $0.0 == "{name}" }.map { String($0.1) }
        return (endpoint, app)
    }

    /// The endpoints of the pattern the router picks for a concrete path. As in the router, a
    /// literal segment wins over a parameter: `/config/secrets` is the secrets route, never
    /// `/config/{key}` with key `secrets`, so only the best-matching pattern counts.
    private func bestMatches(_ path: String) -> [Endpoint] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        var best: (rank: [Bool], endpoints: [Endpoint])?
        for endpoint in endpoints {
            let pattern = endpoint.path.split(separator: "/", omittingEmptySubsequences: false)
            guard pattern.count == parts.count else { continue }
            var rank: [Bool] = []
            for (segment, part) in zip(pattern, parts) {
                if segment == part {
                    rank.append(true)
                } else if segment.hasPrefix("{") && !part.isEmpty {
                    rank.append(false)
                } else {
                    rank = []
                    break
                }
            }
            guard rank.count == parts.count else { continue }
            if let current = best, current.rank == rank {
                best?.endpoints.append(endpoint)
            } else if best == nil || Self.isBetter(rank, than: best!.rank) {
                best = (rank, [endpoint])
            }
        }
        return best?.endpoints ?? []
    }

    /// Whether a match is more literal than another: the first segment where they differ is
    /// literal in it, as the router's tree decides segment by segment.
    static func isBetter(_ rank: [Bool], than other: [Bool]) -> Bool {
        guard let difference = zip(rank, other).first(where: { $0 != $1 }) else { return false }
        return difference.0
    }
}
