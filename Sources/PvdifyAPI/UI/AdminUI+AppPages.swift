import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// The apps list, an app's page, a release's deploy log and the live log stream.
extension AdminUI {
    /// Every app the token reaches: the same store read and reach check as `GET /api/v1/apps`,
    /// counted as one request against the token's rate limit.
    @Sendable func appsPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await page(request) { user in
            let decision = limiter.admit("token:\(user.token.id)", deploy: false)
            guard decision.allowed else {
                return errorPage(user, status: 429, message: "Rate limit exceeded; retry in \(decision.retryAfter) s", back: nil)
            }
            guard user.token.allows(.read) else {
                return errorPage(user, status: 403, message: "This token has no 'read' scope", back: nil)
            }
            let rows = try await appRows(for: user.token)
            var values = user.base("Apps", flash: sessions.takeFlash(user.session.id))
            values["apps"] = rows
            values["hasApps"] = !rows.isEmpty
            return templates.page("apps", values)
        }
    }

    /// One row of the apps list per app the token reaches.
    func appRows(for token: APIToken) async throws -> [[String: Any]] {
        let views = try await store.apps().filter { token.reaches(app: $0.app.name, previewOf: $0.app.previewOf) }
        let releases = try await store.releaseSummaries()
        var rows: [[String: Any]] = []
        rows.reserveCapacity(views.count)
        for view in views {
            var row: [String: Any] = [
                "name": view.app.name,
                "phase": (view.status?.phase ?? .pending).rawValue,
                "image": view.app.spec.image ?? "",
                "running": view.status?.processes.values.reduce(0) { $0 + $1.running } ?? 0,
                "desired": view.app.spec.processes.values.reduce(0) { $0 + $1.count },
                "domains": view.domains,
            ]
            if let ready = view.status?.conditions.first(where: { $0.type == "Ready" }) { row["reason"] = ready.reason }
            let summary = releases[view.app.name]
            if let active = summary?.activeVersion { row["release"] = "v\(active)" }
            if let last = summary?.lastCreatedAt { row["lastDeploy"] = Timestamps.format(last) }
            rows.append(row)
        }
        return rows
    }

    /// An app, read through the API's own routes with the session's token.
    @Sendable func appPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await page(request) { user in
            guard let name = Self.appName(context) else {
                return errorPage(user, status: 404, message: "App not found", back: "/ui/apps")
            }
            let path = "/api/v1/apps/\(name)"
            let secret = user.session.secret
            let app = await api.call(.get, path, secret: secret, from: context)
            guard app.ok, let appJSON = app.json else {
                return errorPage(user, status: app.status, message: app.errorMessage, back: "/ui/apps")
            }
            let processes = await api.call(.get, path + "/ps", secret: secret, from: context).json
            let releases = await api.call(.get, path + "/releases", secret: secret, from: context).json
            let config = await api.call(.get, path + "/config", secret: secret, from: context).json
            let domains = await api.call(.get, path + "/domains", secret: secret, from: context).json

            var values = user.base(name, flash: sessions.takeFlash(user.session.id))
            let canDeploy = user.token.allows(.deploy)
            values["name"] = name
            values["canWrite"] = user.token.allows(.write)
            values["canDeploy"] = canDeploy
            values["phase"] = appJSON["status"]?.shownText ?? ""
            values["environment"] = appJSON["environment"]?.shownText ?? ""
            if let image = appJSON["image"]?.stringValue { values["image"] = image }
            values["conditions"] = (appJSON["conditions"]?.arrayValue ?? []).map { condition in
                [
                    "type": condition["type"]?.shownText ?? "", "status": condition["status"]?.shownText ?? "",
                    "reason": condition["reason"]?.shownText ?? "", "message": condition["message"]?.shownText ?? "",
                    "time": condition["last_transition_time"]?.shownText ?? "",
                ] as [String: Any]
            }
            values["processes"] = (processes?["processes"]?.arrayValue ?? []).map { process in
                [
                    "type": process["type"]?.shownText ?? "", "count": process["count"]?.intValue ?? 0,
                    "running": process["running"]?.intValue ?? 0, "restarts": process["restarts"]?.intValue ?? 0,
                    "status": process["status"]?.shownText ?? "",
                ] as [String: Any]
            }
            let releaseRows = (releases?["releases"]?.arrayValue ?? []).map { release in
                let status = release["status"]?.shownText ?? ""
                return [
                    "version": release["version"]?.intValue ?? 0, "status": status, "image": release["image"]?.shownText ?? "",
                    "createdBy": release["created_by"]?.shownText ?? "", "createdAt": release["created_at"]?.shownText ?? "",
                    "canRollback": canDeploy && status == ReleaseStatus.superseded.rawValue,
                ] as [String: Any]
            }
            values["releases"] = releaseRows
            values["hasReleases"] = !releaseRows.isEmpty
            let secretNames = Set((config?["secrets"]?.arrayValue ?? []).compactMap(\.stringValue))
            let vars = config?["vars"]?.objectValue ?? [:]
            values["configVersion"] = config?["version"]?.shownText ?? ""
            values["vars"] = vars.keys.sorted().filter { !secretNames.contains($0) }.map { key in
                ["key": key, "value": vars[key]?.shownText ?? ""] as [String: Any]
            }
            values["secrets"] = secretNames.sorted().map { ["key": $0] as [String: Any] }
            values["domains"] = (domains?["domains"]?.arrayValue ?? []).map { domain in
                [
                    "domain": domain["name"]?.shownText ?? "", "status": domain["status"]?.shownText ?? "",
                    "ssl": domain["ssl"]?.boolValue == true ? "on" : "off", "dns": domain["dns"]?["status"]?.shownText ?? "",
                ] as [String: Any]
            }
            return templates.page("app", values)
        }
    }

    /// A release's deploy log, as `GET .../releases/{version}/log` gives it.
    @Sendable func releaseLogPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await page(request) { user in
            guard let name = Self.appName(context), let version = context.parameters.get("version").flatMap(Int.init), version > 0
            else { return errorPage(user, status: 404, message: "Release not found", back: "/ui/apps") }
            let answer = await api.call(
                .get, "/api/v1/apps/\(name)/releases/\(version)/log", secret: user.session.secret, from: context)
            guard answer.ok else {
                return errorPage(user, status: answer.status, message: answer.errorMessage, back: "/ui/apps/\(name)")
            }
            var values = user.base("\(name) v\(version)", flash: nil)
            values["app"] = name
            values["version"] = version
            values["log"] = answer.body
            return templates.page("log", values)
        }
    }

    /// The app's live log: the API's own Server-Sent Events stream (the last 100 lines, then new
    /// ones), under the session's token, so it ends when that token is revoked.
    @Sendable func logStream(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let user = try await signedIn(request) else { return Response(status: .unauthorized) }
        guard let name = Self.appName(context) else { return Response(status: .notFound) }
        var path = "/api/v1/apps/\(name)/logs?follow=true&lines=100"
        if let process = request.uri.queryParameters["process"], !process.isEmpty {
            path += "&process=" + InternalAPI.segment(String(process))
        }
        return try await api.send(.get, path, secret: user.session.secret, from: context, browserRequest: request)
    }
}
