import HTTPTypes
import Hummingbird
import PvdifyModel

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
    }

    public private(set) var endpoints: [Endpoint] = []
    let router: Router<APIRequestContext>

    init(router: Router<APIRequestContext>) { self.router = router }

    typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response

    /// Adds a route; the handler runs only for a token with `scope` that reaches the `{name}` app.
    func add(_ method: HTTPRequest.Method, _ path: String, scope: Scope?, _ handler: @escaping Handler) {
        endpoints.append(Endpoint(method: method, path: path, scope: scope))
        router.on(RouterPath(path), method: method) { request, context in
            if let scope {
                guard let token = context.token else { throw APIError.unauthorized() }
                guard token.allows(scope) else {
                    throw APIError.forbidden("This token has no '\(scope.rawValue)' scope")
                }
                if let app = context.parameters.get("name"), !token.reaches(app: app) {
                    throw APIError.forbidden("This token may not access app '\(app)'")
                }
            }
            return try await handler(request, context)
        }
    }

    /// The methods registered for a concrete path, for 405 answers.
    func methods(matching path: String) -> [HTTPRequest.Method] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return endpoints.filter { endpoint in
            let pattern = endpoint.path.split(separator: "/", omittingEmptySubsequences: false)
            guard pattern.count == parts.count else { return false }
            return zip(pattern, parts).allSatisfy { pattern, part in
                (pattern.hasPrefix("{") && !part.isEmpty) || pattern == part
            }
        }.map(\.method)
    }
}
