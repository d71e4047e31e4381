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
    let router: Router<APIRequestContext>
    let access: AppAccess

    init(router: Router<APIRequestContext>, access: AppAccess) {
        self.router = router
        self.access = access
    }

    typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response

    /// Adds a route; the handler runs only for a token with `scope` that reaches the `{name}` app.
    /// A route that `createsReleases` reserves a deploy slot before it runs (see `RequestGate`).
    func add(
        _ method: HTTPRequest.Method, _ path: String, scope: Scope?, createsReleases: Bool = false, _ handler: @escaping Handler
    ) {
        endpoints.append(Endpoint(method: method, path: path, scope: scope, createsReleases: createsReleases))
        let access = access
        let specWrite = ManagedAppGuard.isSpecWrite(method, path)
        router.on(RouterPath(path), method: method) { request, context in
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
            return try await handler(request, context)
        }
    }

    /// The methods registered for a concrete path, for 405 answers.
    func methods(matching path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return endpoints.filter { Self.matches($0.path, parts) }.map(\.method)
    }

    /// The endpoint serving `method` on a concrete path, with the path's `{name}` (the app), if any.
    func endpoint(_ method: HTTPRequest.Method, _ path: String) -> (Endpoint, app: String?)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard let endpoint = endpoints.first(where: { $0.method == method && Self.matches($0.path, parts) }) else { return nil }
        let pattern = endpoint.path.split(separator: "/", omittingEmptySubsequences: false)
        let app = zip(pattern, parts).first { $0.0 == "{name}" }.map { String($0.1) }
        return (endpoint, app)
    }

    static func matches(_ template: String, _ parts: [Substring]) -> Bool {
        let pattern = template.split(separator: "/", omittingEmptySubsequences: false)
        guard pattern.count == parts.count else { return false }
        return zip(pattern, parts).allSatisfy { pattern, part in
            (pattern.hasPrefix("{") && !part.isEmpty) || pattern == part
        }
    }
}
