import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `/apps/{name}/releases` and `/rollback`: deploys are new releases; nothing here touches Podman.
struct ReleasesController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/apps/{name}/releases", scope: .read, list)
        routes.add(.post, "/api/v1/apps/{name}/releases", scope: .deploy, createsReleases: true, create)
        routes.add(.get, "/api/v1/apps/{name}/releases/{version}", scope: .read, show)
        routes.add(.get, "/api/v1/apps/{name}/releases/{version}/log", scope: .read, log)
        routes.add(.post, "/api/v1/apps/{name}/rollback", scope: .deploy, createsReleases: true, rollback)
    }

    @Sendable func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let releases = try await services.store.releases(context.parameter("name"))
        return try .json(["releases": .array(releases.map(Present.releaseSummary))])
    }

    @Sendable func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let name = context.parameter("name")
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        try body.rejectUnknown(allowed: ["image"])
        let image = try body.requiredString("image")
        if let problem = Rules.imageReference(image) { throw APIError.invalid("Image \(problem)", field: "image") }
        let release = try await services.store.createRelease(name, image: image, by: context.actor)
        context.record.noteRelease()
        services.event(name, "Release v\(release.version) created by \(context.actor): deploy \(image)")
        var response = try Response.json(Present.release(release, baseURL: request.publicBaseURL), status: .created)
        response.headers[.location] = "/api/v1/apps/\(name)/releases/\(release.version)"
        return response
    }

    @Sendable func show(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = context.parameter("name")
        let release = try await services.store.release(name, version: try Self.version(context, app: name))
        return try .json(Present.release(release, baseURL: request.publicBaseURL))
    }

    @Sendable func log(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = context.parameter("name")
        let lines = try await services.store.releaseLog(name, version: try Self.version(context, app: name))
        let text = lines.map { "\(Timestamps.format($0.0)) \($0.1)\n" }.joined()
        return .text(text, contentType: "text/plain; charset=utf-8")
    }

    /// Body (optional): `{"version": 41}`; 200 with the new release.
    @Sendable func rollback(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let name = context.parameter("name")
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes, optional: true)
        try body?.rejectUnknown(allowed: ["version"])
        let target = try body?.int("version")
        if let target, target < 1 { throw APIError.invalid("version must be a positive integer", field: "version") }
        let release = try await services.store.rollback(name, to: target, by: context.actor)
        context.record.noteRelease()
        services.event(
            name, "Rollback to v\(release.rollbackTo ?? 0) by \(context.actor): release v\(release.version), image \(release.image)")
        return try .json(Present.release(release, baseURL: request.publicBaseURL))
    }

    /// A release number in the path (`42` or `v42`); anything else cannot exist.
    static func version(_ context: APIRequestContext, app: String, parameter: String = "version") throws -> Int {
        let text = context.parameter(parameter)
        let digits = text.hasPrefix("v") ? String(text.dropFirst()) : text
        guard let number = Int(digits), number > 0 else {
            throw APIError.notFound("Version '\(text)' of app '\(app)' not found")
        }
        return number
    }
}
