import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `/sources`: git repositories whose App manifests pvdify applies. Reading needs `read`, changing
/// `write`. A source may create and delete any app, so app-limited tokens never reach sources.
/// The path parameter is `{source}`, so the app access check never reads a source name as an app.
struct SourcesController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/sources", scope: .read, list)
        routes.add(.post, "/api/v1/sources", scope: .write, create)
        routes.add(.get, "/api/v1/sources/{source}", scope: .read, show)
        routes.add(.patch, "/api/v1/sources/{source}", scope: .write, update)
        routes.add(.delete, "/api/v1/sources/{source}", scope: .write, delete)
        routes.add(.post, "/api/v1/sources/{source}/sync", scope: .write, sync)
        routes.add(.post, "/api/v1/sources/{source}/credentials", scope: .write, credentials)
    }

    /// Sources are out of reach of app-limited tokens.
    static func requireUnlimited(_ context: APIRequestContext) throws {
        guard context.token?.apps == nil else { throw APIError.forbidden("An app-limited token may not reach sources") }
    }

    @Sendable func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try Self.requireUnlimited(context)
        return try .json(["sources": .array(try await services.store.sources().map(Present.source))])
    }

    /// `{"name": "platform", "url": "...", "ref": {"branch": "main"}, ...}`: the name beside the spec fields.
    @Sendable func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try Self.requireUnlimited(context)
        var request = request
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        let name = try body.requiredString("name")
        if let problem = Rules.appName(name) { throw APIError.invalid("Source name \(problem)", field: "name") }
        var fields = body.fields
        fields["name"] = nil
        let spec = try SourceSpec.parse(FieldReader(.object(fields)), base: nil)
        let source = try await services.store.createSource(name: name, spec: spec)
        var response = try Response.json(Present.source(source), status: .created)
        response.headers[.location] = "/api/v1/sources/\(name)"
        return response
    }

    @Sendable func show(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try Self.requireUnlimited(context)
        return try .json(Present.source(try await services.store.source(context.parameter("source"))))
    }

    /// Any spec fields; the rest keep their values.
    @Sendable func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try Self.requireUnlimited(context)
        var request = request
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        let source = try await services.store.updateSource(context.parameter("source")) { spec in
            spec = try SourceSpec.parse(body, base: spec)
        }
        return try .json(Present.source(source))
    }

    /// Deletes the source; its apps keep running, no longer managed, unless `?prune=true`.
    @Sendable func delete(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try Self.requireUnlimited(context)
        let name = context.parameter("source")
        let prune = try Self.flag(request, "prune")
        let apps = try await services.store.deleteSource(name, prune: prune)
        for app in apps {
            services.event(app, prune ? "App deleted with source '\(name)' by \(context.actor)" : "Source '\(name)' deleted by \(context.actor): the app is no longer managed")
        }
        let message = apps.isEmpty
            ? "Source '\(name)' deleted; it managed no apps"
            : prune
                ? "Source '\(name)' deleted with its \(apps.count) app(s)"
                : "Source '\(name)' deleted; its \(apps.count) app(s) keep running and are no longer managed (delete them too with ?prune=true)"
        return try .json([
            "name": .string(name), "pruned": .bool(prune), "apps": .strings(apps), "message": .string(message),
        ])
    }

    /// Asks for a fetch and apply now; the reconciler does it (202). With `?dry_run=true` it
    /// fetches the current remote commit and answers what a sync would create, change and prune,
    /// changing nothing (200).
    @Sendable func sync(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try Self.requireUnlimited(context)
        let name = context.parameter("source")
        if try Self.flag(request, "dry_run") { return try await preview(name) }
        let requested = try await services.store.requestSync(name)
        return try .json(["name": .string(name), "requested_at": .string(Timestamps.formatFractional(requested))], status: .accepted)
    }

    /// Sets credentials (fields given replace stored ones; null removes one). Answers which are
    /// set, never a value.
    @Sendable func credentials(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try Self.requireUnlimited(context)
        var request = request
        let name = context.parameter("source")
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        let kinds = try await services.store.setSourceCredentials(name) { current in
            try SourceCredentials.parse(body, base: current)
        }
        return try .json(["name": .string(name), "credentials": .strings(kinds)])
    }

    func preview(_ name: String) async throws -> Response {
        guard let sourcePreview = services.settings.sourcePreview else {
            throw APIError(.serviceUnavailable, "unavailable", "Source syncing does not run in this server")
        }
        _ = try await services.store.source(name)
        let preview: SourcePreview
        do {
            preview = try await sourcePreview(name)
        } catch let error as SourcePreviewError {
            let message = "Source '\(name)' at its remote commit: \(error.reason): \(error.message)"
            switch error.reason {
            case SourceReason.validationFailed: throw APIError.invalid(message)
            case SourceReason.applyFailed: throw APIError.conflict(message)
            default: throw APIError(.badGateway, "fetch_failed", message)
            }
        }
        let plan = preview.result.plan
        let results: [JSONValue] = try preview.result.outcomes.map { outcome in
            let result = outcome.result
            return [
                "name": .string(outcome.after.name),
                "action": .string(result.created ? "created" : result.changed ? "configured" : "unchanged"),
                "diff": .string(try ApplyController.diff(outcome)),
                "secrets_changed": .array(ApplyController.secretsChanged(outcome).map(JSONValue.string)),
            ]
        }
        return try .json([
            "dry_run": true,
            "revision": .string(preview.revision),
            "results": .array(results),
            "prune": .strings(plan.prune),
            "release": .strings(plan.release),
            "conflicts": .array(plan.conflicts.map { ["app": .string($0.app), "message": .string($0.message)] }),
            "blocked": .text(plan.blocked),
        ])
    }

    static func flag(_ request: Request, _ name: String) throws -> Bool {
        guard let text = request.uri.queryParameters[Substring(name)].map(String.init) else { return false }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no", "": return false
        default: throw APIError.invalid("must be true or false", field: name)
        }
    }
}

extension Present {
    static func source(_ source: Source) -> JSONValue {
        let status = source.status ?? SourceStatus()
        let history: [JSONValue] = status.history.map { sync in
            [
                "revision": .text(sync.revision), "time": .time(sync.time), "outcome": .string(sync.outcome),
                "created": .strings(sync.created), "changed": .strings(sync.changed), "pruned": .strings(sync.pruned),
                "unchanged": .strings(sync.unchanged), "message": .string(sync.message),
            ]
        }
        return [
            "name": .string(source.name),
            "spec": source.spec.json,
            "generation": .int(source.generation),
            "credentials": .strings(source.credentialKinds),
            "status": [
                "revision": .text(status.revision),
                "last_applied_revision": .text(status.lastAppliedRevision),
                "last_attempted_revision": .text(status.lastAttemptedRevision),
                "observed_generation": .int(status.observedGeneration),
                "conditions": .array(status.conditions.map(condition)),
                "inventory": .array(status.inventory.map { ["app": .string($0.app), "path": .string($0.path)] }),
                "history": .array(history),
                "last_sync_at": status.lastSyncAt.map { .string(Timestamps.formatFractional($0)) } ?? .null,
            ],
            "sync_requested_at": source.syncRequestedAt.map { .string(Timestamps.formatFractional($0)) } ?? .null,
            "created_at": .time(source.createdAt),
            "updated_at": .time(source.updatedAt),
        ]
    }
}
