import Foundation
import HTTPTypes
import Hummingbird
import PvdifyStore

/// The first thing every request meets: authenticates the bearer token (on every route but those
/// added without a scope: health, and a source's webhook, which checks its own signature), applies
/// the rate limits (a route that may create releases reserves a deploy slot, given back when it
/// made none), puts the `X-RateLimit-*` headers on every response, errors included, and records
/// mutating calls and refusals in the audit log.
struct RequestGate: RouterMiddleware {
    typealias Context = APIRequestContext

    let store: Store
    let limiter: RateLimiter
    /// Renders errors raised here (a store fault while authenticating) as the inner layer would.
    let errors: ErrorEnvelope
    let routes: RouteTable

    static let mutatingMethods: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]
    static let appNameBytes = Set("abcdefghijklmnopqrstuvwxyz0123456789-".utf8)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = Date()
        var context = context
        let path = request.uri.path
        // A route without a scope takes no token: one sent along is not even looked at.
        var authenticated = routes.isPublic(request.method, path)
        var failure: (any Error)?
        if !authenticated, let secret = Self.bearerToken(request) {
            do {
                context.token = try await store.authenticate(secret: secret)
                authenticated = context.token != nil
            } catch {
                failure = error
            }
        }
        let mutating = Self.mutatingMethods.contains(request.method)
        let route = mutating ? routes.endpoint(request.method, path) : nil
        context.rateLimitKey = context.token.map { "token:\($0.id)" } ?? "addr:\(context.remoteAddress ?? "unknown")"
        // The deploy limit counts deploys: a request without a valid token deploys nothing, and
        // must be told 401 (it still counts against the address's request limit).
        let deploys = context.token != nil && route?.0.createsReleases == true
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
            do {
                response = try await next(request, context)
            } catch {
                limiter.refundDeploy(context.rateLimitKey, decision)
                audit(request, context, route: route, status: 500, at: started)
                throw error
            }
        }
        if !context.record.releaseCreated { limiter.refundDeploy(context.rateLimitKey, decision) }
        // HEAD answers as GET does, without the body (errors included).
        if request.method == .head { response = response.createHeadResponse() }
        response.headers[.rateLimitLimit] = String(decision.limit)
        response.headers[.rateLimitRemaining] = String(decision.remaining)
        response.headers[.rateLimitReset] = String(decision.reset)
        let status = Int(response.status.code)
        if mutating || status == 401 || status == 403 {
            audit(request, context, route: route ?? routes.endpoint(request.method, path), status: status, at: started)
        }
        return response
    }

    /// Records the call: who, from where, the route pattern and app (never the raw path or a body).
    func audit(_ request: Request, _ context: Context, route: (RouteTable.Endpoint, app: String?)?, status: Int, at time: Date) {
        let app = context.record.apps?.joined(separator: ",") ?? route?.app.flatMap(Self.plausibleAppName)
        store.recordAudit(AuditEntry(
            time: time, tokenID: context.token?.id, tokenName: context.token?.name, source: context.remoteAddress,
            method: request.method.rawValue, route: route?.0.path, app: app, status: status))
    }

    /// A path's app segment as recorded: only what could be an app name, so no stray text
    /// (or a secret pasted into a URL) lands in the log.
    static func plausibleAppName(_ text: String) -> String? {
        guard (1...63).contains(text.utf8.count), text.utf8.allSatisfy(appNameBytes.contains) else { return nil }
        return text
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.count < 512 else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}
