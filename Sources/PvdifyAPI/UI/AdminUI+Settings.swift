import Foundation
import Hummingbird
import PvdifyModel

/// The settings page: the server's facts and, for an admin token, the tokens.
extension AdminUI {
    @Sendable func settingsPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await page(request) { user in await settingsResponse(user, context, created: nil) }
    }

    /// Creates a token through `POST /api/v1/tokens`; its secret is shown on this one answer only.
    @Sendable func createToken(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await formPost(request, context) { user, form in
            let name = form["name"] ?? ""
            var body: [String: JSONValue] = ["name": .string(name), "scopes": .strings(form.all("scopes"))]
            let apps = (form["apps"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            if !apps.isEmpty { body["apps"] = .strings(apps) }
            if let expiry = form["expires_in"]?.trimmingCharacters(in: .whitespaces), !expiry.isEmpty {
                body["expires_in"] = .string(expiry)
            }
            let answer = await api.call(.post, "/api/v1/tokens", secret: user.session.secret, body: .object(body), from: context)
            guard answer.ok, let secret = answer.json?["token"]?.stringValue else {
                return errorPage(user, status: answer.status, message: answer.errorMessage, back: "/ui/settings")
            }
            return await settingsResponse(user, context, created: (name, secret))
        }
    }

    @Sendable func revokeToken(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await formPost(request, context) { user, form in
            let id = form["id"] ?? ""
            let answer = await api.call(
                .delete, "/api/v1/tokens/\(InternalAPI.segment(id))", secret: user.session.secret, from: context)
            return finish(answer, user, success: "Revoked \(id)", back: "/ui/settings")
        }
    }

    func settingsResponse(_ user: SignedIn, _ context: APIRequestContext, created: (name: String, secret: String)?) async -> Response {
        var values = user.base("Settings", flash: sessions.takeFlash(user.session.id))
        values["version"] = settings.version
        values["uptime"] = HealthController.uptime(Date().timeIntervalSince(settings.startedAt))
        values["tlsMode"] = settings.tlsMode
        values["baseDomain"] = settings.baseDomain
        values["dnsManaged"] = settings.dnsManaged ? "yes" : "no"
        values["tokenScopes"] = user.token.scopes.map(\.rawValue).joined(separator: ", ")
        // What `age -a -r` seals secret values to for `spec.sealed_secrets` (scope read).
        let key = await api.call(.get, "/api/v1/sealing-key", secret: user.session.secret, from: context)
        values["sealingRecipient"] = key.json?["recipient"]?.stringValue ?? "unknown"
        let retired = (key.json?["retired"]?.arrayValue ?? []).compactMap { $0["recipient"]?.stringValue }
        values["retiredRecipients"] = retired
        values["hasRetired"] = !retired.isEmpty
        if let created {
            values["newTokenName"] = created.name
            values["newSecret"] = created.secret
        }
        if user.token.allows(.admin) {
            values["isAdmin"] = true
            let answer = await api.call(.get, "/api/v1/tokens", secret: user.session.secret, from: context)
            values["tokens"] = (answer.json?["tokens"]?.arrayValue ?? []).map { token in
                [
                    "id": token["id"]?.shownText ?? "", "name": token["name"]?.shownText ?? "",
                    "scopes": (token["scopes"]?.arrayValue ?? []).map(\.plainText).joined(separator: ", "),
                    "apps": token["apps"]?.arrayValue.map { $0.map(\.plainText).joined(separator: ", ") } ?? "all",
                    "expires": token["expires_at"]?.stringValue ?? "never", "lastUsed": token["last_used_at"]?.stringValue ?? "",
                    "isSelf": token["id"]?.stringValue == user.token.id,
                ] as [String: Any]
            }
        }
        return templates.page("settings", values)
    }
}
