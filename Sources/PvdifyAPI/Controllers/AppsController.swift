import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `/apps`: list, create, show, change, delete.
struct AppsController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/apps", scope: .read, list)
        routes.add(.post, "/api/v1/apps", scope: .write, create)
        routes.add(.get, "/api/v1/apps/{name}", scope: .read, show)
        routes.add(.patch, "/api/v1/apps/{name}", scope: .write, update)
        routes.add(.delete, "/api/v1/apps/{name}", scope: .write, delete)
    }

    @Sendable func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let views = try await services.store.apps().filter {
            context.token?.reaches(app: $0.app.name, previewOf: $0.app.previewOf) ?? false
        }
        return try .json(["apps": .array(views.map(Present.appSummary))])
    }

    @Sendable func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        try body.rejectUnknown(allowed: ["name", "environment"])
        let name = try body.requiredString("name")
        if let problem = Rules.appName(name) { throw APIError.invalid("App name \(problem)", field: "name") }
        let environment = try AppEnvironment.parse(try body.string("environment") ?? "production", field: "environment")
        context.record.noteApps([name])
        // Only a listed name: a new app is never a preview, whatever its name looks like.
        guard context.token?.reaches(app: name, previewOf: nil) == true else {
            throw APIError.forbidden("This token may not create app '\(name)'")
        }
        let app = try await services.store.createApp(name: name, environment: environment)
        services.event(name, "App created by \(context.actor)")
        var response = try Response.json(
            [
                "name": .string(app.name),
                "environment": .string(app.spec.environment.rawValue),
                "status": .string(AppPhase.pending.rawValue),
                "bind_port": .int(app.bindPort),
                "created_at": .time(app.createdAt),
            ], status: .created)
        response.headers[.location] = "/api/v1/apps/\(app.name)"
        return response
    }

    @Sendable func show(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try .json(Present.app(try await services.store.app(context.parameter("name"))))
    }

    /// Changes `processes`, `resources`, `healthcheck`, `environment`, `previews` or `github` (`null`
    /// unlinks the repository); unknown fields are 422.
    @Sendable func update(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let name = context.parameter("name")
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        try body.rejectUnknown(allowed: ["processes", "resources", "healthcheck", "environment", "previews", "github"])
        try await services.store.updateSpec(name) { spec in
            if let environment = try body.string("environment") {
                spec.environment = try AppEnvironment.parse(environment, field: "environment")
            }
            if let processes = try body.object("processes") {
                for (type, value) in processes.fields.sorted(by: { $0.key < $1.key }) {
                    try ProcessSpec.validateType(type, field: processes.path(type))
                    if value == .null {
                        spec.processes[type] = nil
                    } else {
                        spec.processes[type] = try ProcessSpec.parse(
                            FieldReader(value, path: processes.path(type)), base: spec.processes[type])
                    }
                }
            }
            if let resources = try body.object("resources") {
                spec.resources = try Resources.parse(resources, base: spec.resources)
            }
            if let healthcheck = try body.object("healthcheck") {
                spec.healthcheck = try Healthcheck.parse(healthcheck, base: spec.healthcheck)
            }
            if let previews = try body.object("previews") {
                spec.previews = try PreviewPolicy.parse(previews, base: spec.previews)
            }
            if let github = try body.object("github") {
                spec.github = try GitHubLink.parse(github, base: spec.github)
            } else if body.has("github") {
                spec.github = nil
            }
        }
        services.event(name, "App settings changed by \(context.actor): \(body.fields.keys.sorted().joined(separator: ", "))")
        return try .json(Present.app(try await services.store.app(name)))
    }

    @Sendable func delete(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        for name in try await services.store.deleteApp(context.parameter("name")) {
            services.logs.drop(name)
        }
        return .noContent()
    }
}
