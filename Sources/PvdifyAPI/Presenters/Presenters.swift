import Foundation
import PvdifyModel
import PvdifyStore

/// The JSON shapes of the API reference, built in one place.
enum Present {
    static func appSummary(_ view: AppView) -> JSONValue {
        [
            "name": .string(view.app.name),
            "environment": .string(view.app.spec.environment.rawValue),
            "status": .string(phase(view)),
            "image": .text(view.app.spec.image),
            "created_at": .time(view.app.createdAt),
        ]
    }

    static func app(_ view: AppView) -> JSONValue {
        let app = view.app
        return [
            "name": .string(app.name),
            "environment": .string(app.spec.environment.rawValue),
            "status": .string(phase(view)),
            "image": .text(app.spec.image),
            "processes": .object(app.spec.processes.mapValues { ["command": .text($0.command), "count": .int($0.count)] }),
            "bind_port": .int(app.bindPort),
            "domains": .strings(view.domains),
            "resources": resources(app.spec.resources),
            "healthcheck": [
                "path": .string(app.spec.healthcheck.path),
                "interval": .string(app.spec.healthcheck.interval.description),
                "timeout": .string(app.spec.healthcheck.timeout.description),
                "deploy_timeout": .string(app.spec.healthcheck.deployTimeout.description),
            ],
            "labels": .map(app.spec.labels),
            "previews": previewPolicy(app.spec.previews),
            "github": app.spec.github.map { ["repo": .string($0.repo), "ref": .text($0.ref), "environment": .text($0.environment)] } ?? .null,
            "preview_of": .text(app.previewOf),
            "managed_by": view.managedBy.map { ["source": .string($0.source), "revision": .string($0.revision), "path": .string($0.path)] } ?? .null,
            "generation": .int(app.generation),
            "observed_generation": .int(view.status?.observedGeneration ?? 0),
            "conditions": .array((view.status?.conditions ?? []).map(condition)),
            "upstreams": .strings(view.status?.upstreams ?? []),
            "created_at": .time(app.createdAt),
            "updated_at": .time(app.updatedAt),
        ]
    }

    /// The `previews` section; secrets by name only (the parent's values never show here).
    static func previewPolicy(_ policy: PreviewPolicy) -> JSONValue {
        [
            "ttl": .string(policy.ttlText),
            "max": .int(policy.max),
            "scale": .object(policy.scale.mapValues(JSONValue.int)),
            "config": .map(policy.config),
            "secrets": .strings(policy.secrets),
            "image": .text(policy.image),
            "forks": .bool(policy.forks),
        ]
    }

    static func phase(_ view: AppView) -> String { (view.status?.phase ?? .pending).rawValue }

    static func resources(_ resources: Resources) -> JSONValue {
        ["memory": .text(resources.memory?.text), "cpu": resources.cpu.map(JSONValue.double) ?? .null]
    }

    static func condition(_ condition: Condition) -> JSONValue {
        [
            "type": .string(condition.type), "status": .string(condition.status), "reason": .string(condition.reason),
            "message": .string(condition.message), "last_transition_time": .time(condition.lastTransitionTime),
            "observed_generation": .number(condition.observedGeneration),
        ]
    }

    static func releaseSummary(_ release: Release) -> JSONValue {
        var value: [String: JSONValue] = [
            "version": .int(release.version),
            "image": .string(release.image),
            "config_version": .text(release.configVersion.map { "v\($0)" }),
            "status": .string(release.status.rawValue),
            "created_at": .time(release.createdAt),
            "created_by": .string(release.createdBy),
        ]
        if release.rollbackTo != nil {
            value["rollback_from"] = .number(release.rollbackFrom)
            value["rollback_to"] = .number(release.rollbackTo)
        }
        return .object(value)
    }

    static func release(_ release: Release, baseURL: String) -> JSONValue {
        guard case .object(var value) = releaseSummary(release) else { return .null }
        value["deploy_log"] = .string("\(baseURL)/api/v1/apps/\(release.app)/releases/\(release.version)/log")
        return .object(value)
    }

    static func domain(_ domain: Domain) -> JSONValue {
        var value: [String: JSONValue] = [
            "name": .string(domain.name), "status": .string(domain.status.rawValue), "ssl": .bool(domain.ssl),
        ]
        // Routing's message first; else the DNS reconciler's, so a conflict or unmanaged DNS is visible.
        if let message = domain.message ?? domain.dns?.message { value["message"] = .string(message) }
        value["dns"] = ["status": .string(domain.dns?.state.rawValue ?? "pending"), "message": .text(domain.dns?.message)]
        return .object(value)
    }

    static func token(_ token: APIToken) -> JSONValue {
        [
            "id": .string(token.id),
            "name": .string(token.name),
            "scopes": .strings(token.scopes.map(\.rawValue)),
            "apps": token.apps.map(JSONValue.strings) ?? .null,
            "created_at": .time(token.createdAt),
            "last_used_at": .time(token.lastUsedAt),
            "expires_at": .time(token.expiresAt),
        ]
    }

    static func logLine(_ line: LogLine) -> JSONValue {
        ["timestamp": .time(line.timestamp), "process": .string(line.process), "message": .string(line.message)]
    }

    /// Each process type with its desired count and what the container reconciler observed. A type
    /// whose count the reconciler has not acted on yet is `scaling`, whatever it saw before.
    static func processes(_ view: AppView) -> JSONValue {
        let observed = view.status?.processes ?? [:]
        return [
            "generation": .int(view.app.generation),
            "observed_generation": .int(view.status?.observedGeneration ?? 0),
            "processes": .array(view.app.spec.processes.keys.sorted().map { type in
                let spec = view.app.spec.processes[type]!
                return [
                    "type": .string(type),
                    "command": .text(spec.command),
                    "count": .int(spec.count),
                    "running": .int(observed[type]?.running ?? 0),
                    "restarts": .int(observed[type]?.restarts ?? 0),
                    "status": .string(processStatus(spec.count, observed[type])),
                ]
            }),
        ]
    }

    static func processStatus(_ count: Int, _ observed: ProcessStatus?) -> String {
        guard let observed else { return "pending" }
        return observed.desired == count ? observed.status : "scaling"
    }
}
