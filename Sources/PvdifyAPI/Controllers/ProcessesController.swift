import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `/apps/{name}/ps`: process counts and restarts, as desired state.
struct ProcessesController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/apps/{name}/ps", scope: .read, list)
        routes.add(.post, "/api/v1/apps/{name}/ps/scale", scope: .write, scale)
        routes.add(.post, "/api/v1/apps/{name}/ps/restart", scope: .write, restart)
    }

    @Sendable func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try .json(Present.processes(try await services.store.app(context.parameter("name"))))
    }

    /// `{"web": 3, "worker": 2}`: every type must exist, every count be in 0...100.
    @Sendable func scale(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let name = context.parameter("name")
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        guard !body.fields.isEmpty else { throw APIError.invalid("Name at least one process type, like {\"web\": 2}") }
        var counts: [String: Int] = [:]
        for key in body.fields.keys.sorted() {
            guard let count = try body.int(key) else { throw APIError.invalid("must be an integer", field: key) }
            try ProcessSpec.validateCount(count, field: key)
            counts[key] = count
        }
        let scaled = counts
        let app = try await services.store.updateSpec(name) { spec in
            for (type, count) in scaled.sorted(by: { $0.key < $1.key }) {
                guard spec.processes[type] != nil else {
                    throw ValidationError(field: type, message: "process type '\(type)' is not defined for this app")
                }
                spec.processes[type]?.count = count
            }
        }
        let summary = counts.keys.sorted().map { "\($0)=\(counts[$0]!)" }.joined(separator: " ")
        services.event(name, "Scaled to \(summary) by \(context.actor)")
        let observedGeneration = try await services.store.app(name).status?.observedGeneration ?? 0
        return try .json([
            "generation": .int(app.generation),
            "observed_generation": .int(observedGeneration),
            "processes": .array(counts.keys.sorted().map { type in
                ["type": .string(type), "count": .int(counts[type]!), "status": "scaling"]
            }),
        ])
    }

    /// Optional `{"type": "web"}`; without it every type restarts (rolling, by the reconciler).
    @Sendable func restart(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let name = context.parameter("name")
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes, optional: true)
        try body?.rejectUnknown(allowed: ["type"])
        let only = try body?.string("type")
        let now = Date()
        let app = try await services.store.updateSpec(name) { spec in
            if let only, spec.processes[only] == nil {
                throw ValidationError(field: "type", message: "process type '\(only)' is not defined for this app")
            }
            for type in only.map({ [$0] }) ?? Array(spec.processes.keys) { spec.restarts[type] = now }
        }
        let restarted = only.map { [$0] } ?? app.spec.processes.keys.sorted()
        services.event(name, "Restart of \(restarted.joined(separator: ", ")) requested by \(context.actor)")
        return try .json(["restarted": .strings(restarted), "timestamp": .time(now)])
    }
}
