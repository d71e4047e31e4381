import Foundation
import HTTPTypes
import Hummingbird

/// Signing in with a token and out again.
extension AdminUI {
    @Sendable func loginPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        if try await signedIn(request) != nil { return Self.redirect("/ui/apps") }
        return templates.page("login", ["title": "Sign in"])
    }

    /// Checks the token as the API does (and counts the attempt against the client address's rate
    /// limit, as a request with a bad token is), then opens a session.
    @Sendable func login(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        guard !Self.isCrossSite(request) else { return refusal("This form was sent from another site.") }
        let decision = limiter.admit("addr:\(context.remoteAddress ?? "unknown")", deploy: false)
        guard decision.allowed else {
            var response = templates.page(
                "login", ["title": "Sign in", "error": "Rate limit exceeded; retry in \(decision.retryAfter) s"],
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(decision.retryAfter)
            return response
        }
        let form = try await UIForm.read(&request)
        let secret = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty, secret.utf8.count < 512, try await store.authenticate(secret: secret) != nil else {
            return templates.page("login", ["title": "Sign in", "error": "Invalid or missing token"], status: .unauthorized)
        }
        let session = sessions.open(secret: secret)
        var response = Self.redirect("/ui/apps")
        response.headers[.setCookie] = cookie(session.id, request: request, maxAge: Int(sessions.idleTimeout))
        return response
    }

    /// Ends the session on the server and clears the cookie.
    @Sendable func logout(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await formPost(request, context) { user, _ in
            sessions.close(user.session.id)
            streams.end(Self.sessionStreams(user.session.id))
            var response = Self.redirect("/ui/login")
            response.headers[.setCookie] = cookie("", request: request, maxAge: 0)
            return response
        }
    }

    /// The session cookie: script cannot read it, other sites never send it, only `/ui` gets it,
    /// and over TLS it never travels in clear.
    func cookie(_ value: String, request: Request, maxAge: Int) -> String {
        var cookie = "\(Self.cookieName)=\(value); Path=/ui; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)"
        if Self.overTLS(request) { cookie += "; Secure" }
        return cookie
    }
}
