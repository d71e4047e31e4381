import Foundation
import HTTPTypes
import Hummingbird
import PvdifyStore

/// The first thing every request meets: authenticates the bearer token (all but health), applies
/// the rate limits, and puts the `X-RateLimit-*` headers on every response, errors included.
struct RequestGate: RouterMiddleware {
    typealias Context = APIRequestContext

    let store: Store
    let limiter: RateLimiter
    /// Renders errors raised here (a store fault while authenticating) as the inner layer would.
    let errors: ErrorEnvelope

    static let healthPaths: Set<String> = ["/health", "/api/v1/health"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let path = request.uri.path
        var authenticated = Self.healthPaths.contains(path)
        var failure: (any Error)?
        if !authenticated, let secret = Self.bearerToken(request) {
            do {
                context.token = try await store.authenticate(secret: secret)
                authenticated = context.token != nil
            } catch {
                failure = error
            }
        }
        context.rateLimitKey = context.token.map { "token:\($0.id)" } ?? "addr:\(context.remoteAddress ?? "unknown")"
        // The deploy limit counts deploys: a request without a valid token deploys nothing, and
        // must be told 401 (it still counts against the address's request limit).
        let deploys = context.token != nil && request.method == .post && Self.isDeploy(path)
        let decision = limiter.admit(context.rateLimitKey, deploy: deploys)

        var response: Response
        if let failure {
            response = errors.envelope(for: failure, request: request, context: context).response()
        } else if !decision.allowed {
            var error = APIError(.tooManyRequests, "rate_limited", "Rate limit exceeded; retry in \(decision.retryAfter) s")
            error.headers[.retryAfter] = String(decision.retryAfter)
            response = error.response()
        } else if !authenticated {
            var error = APIError.unauthorized()
            error.headers[.wwwAuthenticate] = "Bearer"
            response = error.response()
        } else {
            response = try await next(request, context)
        }
        // HEAD answers as GET does, without the body (errors included).
        if request.method == .head { response = response.createHeadResponse() }
        response.headers[.rateLimitLimit] = String(decision.limit)
        response.headers[.rateLimitRemaining] = String(decision.remaining)
        response.headers[.rateLimitReset] = String(decision.reset)
        return response
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.count < 512 else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Deploys: `POST /api/v1/apps/{name}/releases`, `/rollback`, `/previews`.
    static func isDeploy(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        return parts.count == 5 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "apps"
            && ["releases", "rollback", "previews"].contains(parts[4])
    }
}

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}
