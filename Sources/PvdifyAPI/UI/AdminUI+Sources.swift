import Foundation
import Hummingbird
import PvdifyModel

/// The sources page (GitOps): each source's revision, last sync, conditions and recent history,
/// with a sync button. Read and acted on through the API's own source routes.
extension AdminUI {
    /// The newest syncs shown per source.
    static let sourceHistoryShown = 5

    @Sendable func sourcesPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await page(request) { user in
            let answer = await api.call(.get, "/api/v1/sources", secret: user.session.secret, from: context)
            guard answer.ok else { return errorPage(user, status: answer.status, message: answer.errorMessage, back: "/ui/apps") }
            var values = user.base("Sources", flash: sessions.takeFlash(user.session.id))
            values["canWrite"] = user.token.allows(.write)
            values["sources"] = (answer.json?["sources"]?.arrayValue ?? []).map { source in
                let status = source["status"]
                return [
                    "source": source["name"]?.shownText ?? "", "url": source["spec"]?["url"]?.shownText ?? "",
                    "revision": status?["revision"]?.shownText ?? "", "lastSync": status?["last_sync_at"]?.shownText ?? "",
                    "conditions": (status?["conditions"]?.arrayValue ?? []).map { condition in
                        [
                            "type": condition["type"]?.shownText ?? "", "status": condition["status"]?.shownText ?? "",
                            "reason": condition["reason"]?.shownText ?? "", "message": condition["message"]?.shownText ?? "",
                        ] as [String: Any]
                    },
                    "history": (status?["history"]?.arrayValue ?? []).prefix(Self.sourceHistoryShown).map { sync in
                        [
                            "revision": sync["revision"]?.shownText ?? "", "time": sync["time"]?.shownText ?? "",
                            "outcome": sync["outcome"]?.shownText ?? "", "message": sync["message"]?.shownText ?? "",
                        ] as [String: Any]
                    },
                ] as [String: Any]
            }
            return templates.page("sources", values)
        }
    }

    @Sendable func syncSource(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await formPost(request, context) { user, form in
            let source = form["source"] ?? ""
            let answer = await api.call(
                .post, "/api/v1/sources/\(InternalAPI.segment(source))/sync", secret: user.session.secret, from: context)
            return finish(answer, user, success: "Sync of \(source) requested", back: "/ui/sources")
        }
    }
}
