import Foundation
import HTTPTypes
import Hummingbird
import PvdifyModel
import PvdifyStore

/// The Admin UI under `/ui/`: server-rendered pages over the same API. Pages read through the
/// API's routes (or, for the apps list, the same store reads and reach checks as `GET /apps`);
/// every action is a request to the API's own route, made with the session's token.
struct AdminUI: Sendable {
    let store: Store
    let settings: APISettings
    let limiter: RateLimiter
    let sessions: UISessions
    let api: InternalAPI
    let templates: UITemplates
    /// The API's registry of open streams: a revoked token or an ended session ends its status streams at once.
    let streams: TokenStreams
    /// Open status streams per session: a few tabs, so one browser cannot hold many.
    let statusStreams = SlotsPerKey(limit: 4)

    /// The session cookie's name.
    static let cookieName = "pvdify_session"

    /// A browser with a live session whose token still authenticates.
    struct SignedIn: Sendable {
        let session: UISessions.Session
        let token: APIToken

        /// Values the page header needs.
        func base(_ title: String, flash: UISessions.Flash?) -> [String: Any] {
            var values: [String: Any] = ["title": title, "signedIn": true, "csrf": session.csrf, "tokenName": token.name]
            if let flash { values["flash"] = ["text": flash.text, "isError": flash.isError] }
            return values
        }
    }

    /// Builds the UI's router; `api` answers the requests the UI makes on a browser's behalf.
    static func buildResponder(
        api: RouterResponder<APIRequestContext>, store: Store, settings: APISettings, limiter: RateLimiter, streams: TokenStreams
    ) throws -> RouterResponder<APIRequestContext> {
        let ui = AdminUI(
            store: store, settings: settings, limiter: limiter, sessions: UISessions(), api: InternalAPI(responder: api),
            templates: try UITemplates.load(), streams: streams)
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: UISecurityHeaders())
        ui.register(in: router)
        return router.buildResponder()
    }

    func register(in router: Router<APIRequestContext>) {
        router.get("/ui") { _, _ in Self.redirect("/ui/apps") }
        router.get("/ui/assets/{file}") { [templates] _, context in templates.asset(context.parameters.get("file") ?? "") }
        router.get("/ui/login", use: loginPage)
        router.post("/ui/login", use: login)
        router.post("/ui/logout", use: logout)
        router.get("/ui/apps", use: appsPage)
        router.get("/ui/apps/{name}", use: appPage)
        router.get("/ui/apps/{name}/releases/{version}", use: releaseLogPage)
        router.get("/ui/apps/{name}/details", use: detailsPage)
        router.get("/ui/apps/{name}/logs/stream", use: logStream)
        router.get("/ui/events", use: statusStream)
        router.post("/ui/apps/{name}/scale", use: scale)
        router.post("/ui/apps/{name}/restart", use: restart)
        router.post("/ui/apps/{name}/rollback", use: rollback)
        router.post("/ui/apps/{name}/deploy", use: deploy)
        router.post("/ui/apps/{name}/config", use: setConfig)
        router.post("/ui/apps/{name}/config/remove", use: removeConfig)
        router.post("/ui/apps/{name}/secrets", use: setSecret)
        router.post("/ui/apps/{name}/domains", use: addDomain)
        router.post("/ui/apps/{name}/domains/remove", use: removeDomain)
        router.post("/ui/apps/{name}/domains/verify", use: verifyDomain)
        router.get("/ui/sources", use: sourcesPage)
        router.post("/ui/sources/sync", use: syncSource)
        router.get("/ui/settings", use: settingsPage)
        router.post("/ui/settings/tokens", use: createToken)
        router.post("/ui/settings/tokens/revoke", use: revokeToken)
    }

    // MARK: Sessions

    /// The signed-in browser, if its session is live and its token still authenticates through
    /// the API's own check (a revoked or expired token ends the session here).
    func signedIn(_ request: Request) async throws -> SignedIn? {
        guard let id = Self.sessionID(request), let session = sessions.find(id) else { return nil }
        guard let token = try await store.authenticate(secret: session.secret) else {
            sessions.close(id)
            return nil
        }
        return SignedIn(session: session, token: token)
    }

    /// A page for a signed-in browser; anyone else is sent to sign in. The cookie's lifetime is
    /// renewed with each page, as the session's idle time on the server is.
    func page(_ request: Request, _ render: (SignedIn) async throws -> Response) async throws -> Response {
        guard let user = try await signedIn(request) else { return Self.redirect("/ui/login") }
        var response = try await render(user)
        response.headers[.setCookie] = cookie(user.session.id, request: request, maxAge: Int(sessions.idleTimeout))
        return response
    }

    /// A state-changing form post: refused (403) without a live session, from another site, or
    /// without the session's CSRF token; otherwise `perform` runs with the form.
    func formPost(
        _ request: Request, _ context: APIRequestContext, _ perform: (SignedIn, UIForm) async throws -> Response
    ) async throws -> Response {
        var request = request
        guard !Self.isCrossSite(request) else { return refusal("This form was sent from another site.") }
        guard let user = try await signedIn(request) else { return refusal("Your session has ended; sign in again.") }
        let form = try await UIForm.read(&request)
        guard let csrf = form["csrf"], Self.constantTimeEqual(csrf, user.session.csrf) else {
            return refusal("The form's CSRF token is missing or wrong; reload the page and try again.")
        }
        return try await perform(user, form)
    }

    /// Ends an action: on success back to `back` with a notice, else the API's own words and status.
    func finish(_ answer: InternalAPI.Answer, _ user: SignedIn, success: String, back: String) -> Response {
        guard answer.ok else { return errorPage(user, status: answer.status, message: answer.errorMessage, back: back) }
        sessions.setFlash(user.session.id, UISessions.Flash(text: success, isError: false))
        return Self.redirect(back)
    }

    func errorPage(_ user: SignedIn?, status: Int, message: String, back: String?) -> Response {
        var values = user?.base("Not done", flash: nil) ?? ["title": "Not done"]
        values["message"] = message
        if let back { values["back"] = back }
        return templates.page("error", values, status: HTTPResponse.Status(code: status))
    }

    func refusal(_ message: String) -> Response {
        templates.page("error", ["title": "Refused", "message": message, "back": "/ui/login"], status: .forbidden)
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// The session id from the cookie, if it has the shape of one.
    static func sessionID(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0] == cookieName else { continue }
                let value = String(parts[1])
                guard value.utf8.count == 64, value.utf8.allSatisfy({ hexDigits.contains($0) }) else { return nil }
                return value
            }
        }
        return nil
    }

    static let hexDigits = Set("0123456789abcdef".utf8)

    /// Whether a request comes from another site: a browser says so in `Sec-Fetch-Site`, or an
    /// `Origin` that is not this server's own host. A request with neither (an old browser, or no
    /// browser) still needs the session's CSRF token.
    static func isCrossSite(_ request: Request) -> Bool {
        if let site = request.headers[.secFetchSite]?.lowercased(), site != "same-origin", site != "none" { return true }
        guard let origin = request.headers[.origin] else { return false }
        guard let host = request.head.authority, let url = URL(string: origin), let originHost = url.host
        else { return true }
        let authority = url.port.map { "\(originHost):\($0)" } ?? originHost
        return authority.lowercased() != host.lowercased()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Whether the browser reached us over TLS (directly, or through a proxy that says so).
    static func overTLS(_ request: Request) -> Bool {
        request.head.scheme == "https" || request.headers[.xForwardedProto]?.lowercased() == "https"
    }

    /// An app name from the path, if it is one (it is put into API paths).
    static func appName(_ context: APIRequestContext) -> String? {
        guard let name = context.parameters.get("name"), Rules.appName(name) == nil else { return nil }
        return name
    }
}

extension HTTPField.Name {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
