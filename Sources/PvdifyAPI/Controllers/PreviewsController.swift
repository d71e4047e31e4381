import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `/apps/{name}/previews`: one app per pull request, copied from the parent.
struct PreviewsController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/apps/{name}/previews", scope: .read, list)
        routes.add(.post, "/api/v1/apps/{name}/previews", scope: .deploy, createsReleases: true, create)
        routes.add(.delete, "/api/v1/apps/{name}/previews/{pr_number}", scope: .deploy, delete)
    }

    static let maxPRNumber = 999_999

    @Sendable func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let previews = try await services.store.previews(context.parameter("name"))
        var items: [JSONValue] = []
        for preview in previews {
            let view = try await services.store.app(preview.name)
            items.append([
                "name": .string(preview.name),
                "url": .string(url(preview.name)),
                "status": .string(Present.phase(view)),
                "pr_number": .number(preview.prNumber),
                "image": .text(preview.spec.image),
                "created_at": .time(preview.createdAt),
            ])
        }
        return try .json(["previews": .array(items)])
    }

    /// `{"pr_number": 123, "image": "..."}`: 201 with the preview's name and URL.
    @Sendable func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let parent = context.parameter("name")
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        try body.rejectUnknown(allowed: ["pr_number", "image"])
        guard let number = try body.int("pr_number") else { throw APIError.invalid("is required", field: "pr_number") }
        guard (1...Self.maxPRNumber).contains(number) else {
            throw APIError.invalid("must be between 1 and \(Self.maxPRNumber)", field: "pr_number")
        }
        let image = try body.requiredString("image")
        if let problem = Rules.imageReference(image) { throw APIError.invalid("Image \(problem)", field: "image") }
        let (app, release) = try await services.store.createPreview(parent, number: number, image: image, by: context.actor)
        context.record.noteRelease()
        services.event(parent, "Preview \(app.name) for PR #\(number) created by \(context.actor)")
        services.event(app.name, "Release v\(release.version) created by \(context.actor): deploy \(image)")
        var response = try Response.json(
            [
                "name": .string(app.name),
                "url": .string(url(app.name)),
                "status": .string(AppPhase.deploying.rawValue),
                "pr_number": .int(number),
            ], status: .created)
        response.headers[.location] = "/api/v1/apps/\(app.name)"
        return response
    }

    @Sendable func delete(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let parent = context.parameter("name")
        let text = context.parameter("pr_number")
        guard let number = Int(text), (1...Self.maxPRNumber).contains(number) else {
            throw APIError.notFound("Preview for PR '\(text)' of app '\(parent)' not found")
        }
        try await services.store.deletePreview(parent, number: number)
        let name = App.previewName(parent: parent, number: number)
        services.logs.drop(name)
        services.event(parent, "Preview \(name) deleted by \(context.actor)")
        return .noContent()
    }

    func url(_ app: String) -> String { "\(services.settings.appURLScheme)://\(app).\(services.settings.baseDomain)" }
}
