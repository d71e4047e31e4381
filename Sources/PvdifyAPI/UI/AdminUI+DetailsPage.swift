import Foundation
import Hummingbird
import PvdifyModel

/// An app's details page: its manifest as YAML, its config versions and its previews, each read
/// through the API's own route. Kept off the app page so that page stays at five API reads.
extension AdminUI {
    @Sendable func detailsPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await page(request) { user in
            guard let name = Self.appName(context) else {
                return errorPage(user, status: 404, message: "App not found", back: "/ui/apps")
            }
            let path = "/api/v1/apps/\(name)"
            let secret = user.session.secret
            let manifest = await api.call(.get, path + "/manifest", secret: secret, from: context)
            guard manifest.ok else {
                return errorPage(user, status: manifest.status, message: manifest.errorMessage, back: "/ui/apps")
            }
            let versions = await api.call(.get, path + "/config/versions", secret: secret, from: context).json
            let previews = await api.call(.get, path + "/previews", secret: secret, from: context).json
            var values = user.base("\(name) details", flash: nil)
            values["name"] = name
            values["manifest"] = manifest.body
            values["versions"] = (versions?["versions"]?.arrayValue ?? []).map { version in
                [
                    "version": version["version"]?.shownText ?? "", "createdAt": version["created_at"]?.shownText ?? "",
                    "createdBy": version["created_by"]?.shownText ?? "",
                    "changes": (version["changes"]?.arrayValue ?? []).map(\.shownText).joined(separator: ", "),
                ] as [String: Any]
            }
            values["previews"] = (previews?["previews"]?.arrayValue ?? []).map { preview in
                [
                    "preview": preview["name"]?.shownText ?? "", "url": preview["url"]?.shownText ?? "",
                    "pr": preview["pr_number"]?.shownText ?? "", "status": preview["status"]?.shownText ?? "",
                    "image": preview["image"]?.shownText ?? "", "createdAt": preview["created_at"]?.shownText ?? "",
                    "expiresAt": preview["expires_at"]?.shownText ?? "",
                    "linked": preview["github"].map { $0 != .null } ?? false,
                    "github": Self.githubText(preview["github"]),
                ] as [String: Any]
            }
            return templates.page("details", values)
        }
    }

    /// What GitHub shows of a preview: the deployment state last posted, and why the last call
    /// failed (shown only for an app with a GitHub repository).
    static func githubText(_ github: JSONValue?) -> String {
        guard let github, github != .null else { return "" }
        let state = github["state"]?.stringValue ?? "nothing posted"
        guard let error = github["error"]?.stringValue, !error.isEmpty else { return state }
        return "\(state) (\(error))"
    }
}
