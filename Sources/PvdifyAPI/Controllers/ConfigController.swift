import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `/apps/{name}/config`: vars, secrets and their versions. Secret values go in, never out.
struct ConfigController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/apps/{name}/config", scope: .read, show)
        routes.add(.patch, "/api/v1/apps/{name}/config", scope: .write, createsReleases: true, update)
        routes.add(.post, "/api/v1/apps/{name}/config/secrets", scope: .write, createsReleases: true, setSecret)
        routes.add(.delete, "/api/v1/apps/{name}/config/{key}", scope: .write, createsReleases: true, unset)
        routes.add(.get, "/api/v1/apps/{name}/config/versions", scope: .read, versions)
        routes.add(.get, "/api/v1/apps/{name}/config/versions/{version}", scope: .read, version)
    }

    @Sendable func show(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = context.parameter("name")
        let view = try await services.store.app(name)
        let config = try await services.store.currentConfig(name)
        return try .json([
            "version": .text(config.map { "v\($0.version)" }),
            "vars": .map(config?.redactedVars ?? [:]),
            "secrets": .strings(config?.secretNames ?? []),
            "updated_at": .time(config?.createdAt ?? view.app.createdAt),
        ])
    }

    /// `{"vars": {"KEY": "value", "OLD": null}}`; `null` unsets.
    @Sendable func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let name = context.parameter("name")
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        try body.rejectUnknown(allowed: ["vars"])
        guard let vars = try body.stringMap("vars", allowNull: true) else {
            throw APIError.invalid("vars is required: an object of names to values (null unsets)", field: "vars")
        }
        guard !vars.isEmpty else { throw APIError.invalid("vars must name at least one var", field: "vars") }
        var changes: [String: ConfigChange] = [:]
        for (key, value) in vars {
            if let problem = Rules.configKey(key) { throw APIError.invalid(problem, field: "vars.\(key)") }
            if let value {
                if let problem = Rules.configValue(value) { throw APIError.invalid(problem, field: "vars.\(key)") }
                guard value != ConfigVersion.redacted else {
                    throw APIError.invalid("'[REDACTED]' is not a value; secrets are set through /config/secrets", field: "vars.\(key)")
                }
                changes[key] = .set(value)
            } else {
                changes[key] = .unset
            }
        }
        let result = try await services.store.changeConfig(name, changes, by: context.actor)
        announce(name, result, context: context)
        let view = try await services.store.app(name)
        return try .json([
            "version": .text(result.version.map { "v\($0.version)" }),
            "changes": .strings(result.changes),
            "release": .number(result.release?.version),
            "updated_at": .time(result.version?.createdAt ?? view.app.createdAt),
        ])
    }

    /// `{"name": "API_KEY", "value": "..."}`: stored encrypted, 201.
    @Sendable func setSecret(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let name = context.parameter("name")
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        try body.rejectUnknown(allowed: ["name", "value"])
        let key = try body.requiredString("name")
        if let problem = Rules.configKey(key) { throw APIError.invalid(problem, field: "name") }
        let value = try body.requiredString("value")
        if let problem = Rules.configValue(value) { throw APIError.invalid(problem, field: "value") }
        guard !value.isEmpty else { throw APIError.invalid("must not be empty", field: "value") }
        let result = try await services.store.changeConfig(name, [key: .secret(value)], by: context.actor)
        announce(name, result, context: context, secret: true)
        return try .json(
            [
                "name": .string(key),
                "version": .text(result.version.map { "v\($0.version)" }),
                "release": .number(result.release?.version),
                "updated_at": .time(result.version?.createdAt),
            ], status: .created)
    }

    @Sendable func unset(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = context.parameter("name")
        let key = context.parameter("key")
        let result = try await services.store.changeConfig(name, [key: .unset], by: context.actor)
        guard !result.changes.isEmpty else { throw APIError.notFound("Config var '\(key)' is not set on app '\(name)'") }
        announce(name, result, context: context)
        return .noContent()
    }

    @Sendable func versions(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let versions = try await services.store.configVersions(context.parameter("name"))
        return try .json([
            "versions": .array(versions.map { version in
                [
                    "version": .string("v\(version.version)"),
                    "created_at": .time(version.createdAt),
                    "created_by": .string(version.createdBy),
                    "changes": .strings(version.changes),
                ]
            })
        ])
    }

    /// One version; the path takes `v3` or `3`, and `version` answers as a number, as the reference shows.
    @Sendable func version(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = context.parameter("name")
        let number = try ReleasesController.version(context, app: name)
        let version = try await services.store.configVersion(name, version: number)
        return try .json([
            "version": .int(version.version),
            "vars": .map(version.redactedVars),
            "secrets": .strings(version.secretNames),
            "changes": .strings(version.changes),
            "created_at": .time(version.createdAt),
            "created_by": .string(version.createdBy),
        ])
    }

    private func announce(_ app: String, _ result: ConfigChangeResult, context: APIRequestContext, secret: Bool = false) {
        if result.release != nil { context.record.noteRelease() }
        guard let version = result.version, !result.changes.isEmpty else { return }
        let what = secret ? "Secret set" : "Config changed"
        services.event(app, "\(what) by \(context.actor): \(result.changes.joined(separator: ", ")) (config v\(version.version))")
        if let release = result.release {
            services.event(app, "Release v\(release.version) created by \(context.actor): config v\(version.version)")
        }
    }
}
