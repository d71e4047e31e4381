import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `POST /tokens/github-actions`: a GitHub Actions run trades its OIDC token for a short-lived
/// `deploy` token limited to the apps whose `spec.github.repo` is the run's repository (trusted
/// publishing: no pvdify secret is stored in GitHub). No bearer token; the request limit per
/// client address applies. Every refusal is a 401 naming its reason; the issuer being out of
/// reach is a 503. The JWT itself is never logged or stored.
struct GitHubActionsTokensController {
    let services: APIServices

    /// The lifetime when the request names none, and the longest one given.
    static let defaultLifetime = 15 * 60
    static let maxLifetime = 3600
    /// The start of the name of every token made here.
    static let namePrefix = "github-actions@"

    func register(in routes: RouteTable) {
        routes.add(.post, "/api/v1/tokens/github-actions", scope: nil, exchange)
    }

    @Sendable func exchange(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        try body.rejectUnknown(allowed: ["token", "expires_in"])
        guard let jwt = try body.string("token"), !jwt.isEmpty else {
            throw APIError.invalid("the GitHub Actions OIDC token (a JWT) is required", field: "token")
        }
        let lifetime = try Self.lifetime(body)
        guard let verifier = services.settings.githubOIDC else {
            throw APIError(.serviceUnavailable, "unavailable", "GitHub Actions OIDC is not configured on this server")
        }
        let claims: GitHubOIDCClaims
        do {
            claims = try await verifier.verify(jwt)
        } catch let refusal as GitHubOIDCRefusal {
            throw APIError.unauthorized("GitHub Actions OIDC token refused: \(refusal.reason)")
        } catch let outage as GitHubOIDCUnavailable {
            var error = APIError(.serviceUnavailable, "unavailable", "GitHub Actions OIDC token not checked: \(outage.reason); retry later")
            error.headers[.retryAfter] = "5"
            throw error
        }
        guard let repository = claims.repository, GitHubLink.repositoryProblem(repository) == nil else {
            throw APIError.unauthorized("GitHub Actions OIDC token refused: it has no repository claim")
        }
        let apps = try await allowedApps(repository: repository, claims: claims)
        let run = Self.runText(claims)
        let name = "\(Self.namePrefix)\(repository)#\(run)-\(Store.randomHex(bytes: 3))"
        // Tokens of earlier runs that expired over a day ago go (the audit log keeps their names).
        try await services.store.deleteExpiredTokens(namePrefix: Self.namePrefix, expiredBefore: Date().addingTimeInterval(-86_400))
        let (token, secret) = try await services.store.createToken(
            name: name, scopes: [.deploy], apps: apps, expiresAt: Date().addingTimeInterval(TimeInterval(lifetime)))
        context.record.noteApps(apps)
        // The gate records this call without a token (it came with none); this entry names the
        // token made, whose name carries the repository and the run.
        services.store.recordAudit(AuditEntry(
            time: Date(), tokenID: token.id, tokenName: token.name, source: context.remoteAddress, method: "POST",
            route: "/api/v1/tokens/github-actions", app: apps.joined(separator: ","), status: 201))
        guard case .object(var value) = Present.token(token) else { throw APIError.internalError }
        value["token"] = .string(secret)
        value["repository"] = .string(repository)
        return try .json(.object(value), status: .created)
    }

    /// The apps linked to `repository` whose `ref` and `environment` conditions the run meets; a
    /// 401 naming the reason when there are none.
    func allowedApps(repository: String, claims: GitHubOIDCClaims) async throws -> [String] {
        let linked = try await services.store.apps().map(\.app).filter { $0.previewOf == nil }.compactMap { app in
            app.spec.github.map { (app.name, $0) }
        }.filter { $0.1.matches(repository) }
        guard !linked.isEmpty else {
            throw APIError.unauthorized("GitHub Actions OIDC token refused: unknown repository: no app has spec.github.repo \(repository)")
        }
        var allowed: [String] = []
        var unmet: [String] = []
        for (name, link) in linked {
            if let ref = link.ref, ref != claims.ref {
                unmet.append("app '\(name)' needs ref \(ref), the run has \(Self.shown(claims.ref))")
            } else if let environment = link.environment, environment != claims.environment {
                unmet.append("app '\(name)' needs environment \(environment), the run has \(Self.shown(claims.environment))")
            } else {
                allowed.append(name)
            }
        }
        guard !allowed.isEmpty else {
            throw APIError.unauthorized("GitHub Actions OIDC token refused: condition not met: \(unmet.joined(separator: "; "))")
        }
        return allowed.sorted()
    }

    /// `expires_in`: seconds (a number) or a duration like `15m`; 1 s to 1 h, 15 min by default.
    static func lifetime(_ body: FieldReader) throws -> Int {
        let seconds: Int?
        switch body.fields["expires_in"] {
        case nil, .null?: return defaultLifetime
        case .int(let value)?: seconds = value
        case .string(let text)?: seconds = TokenLifetime.seconds(text)
        default: seconds = nil
        }
        guard let seconds, (1...maxLifetime).contains(seconds) else {
            throw APIError.invalid("must be 1 to 3600 seconds, as a number or a duration like 15m", field: "expires_in")
        }
        return seconds
    }

    /// `run-<run_id>.<attempt>` when the claims carry them (digits only).
    static func runText(_ claims: GitHubOIDCClaims) -> String {
        func digits(_ text: String?) -> String? {
            guard let text, (1...20).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return text
        }
        guard let id = digits(claims.runID) else { return "run-unknown" }
        return "run-\(id)" + (digits(claims.runAttempt).map { ".\($0)" } ?? "")
    }

    /// A claim as quoted in a refusal: printable, bounded, or `none`.
    static func shown(_ claim: String?) -> String {
        guard let claim, !claim.isEmpty else { return "none" }
        return String(String.UnicodeScalarView(claim.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7f }.prefix(255)))
    }
}
