import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `/apps/{name}/previews`: one app per pull request, derived from a preview record and the
/// parent's spec and `previews` section.
struct PreviewsController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/apps/{name}/previews", scope: .read, list)
        routes.add(.post, "/api/v1/apps/{name}/previews", scope: .deploy, createsReleases: true, create)
        routes.add(.delete, "/api/v1/apps/{name}/previews/{pr_number}", scope: .deploy, delete)
    }

    static let maxPRNumber = Preview.maxPRNumber

    @Sendable func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let parent = context.parameter("name")
        let previews = try await services.store.previewRecords(parent)
        let link = try await services.store.app(parent).app.spec.github
        let deployments = link == nil ? [] : try await services.store.githubDeployments(parent: parent)
        var items: [JSONValue] = []
        for preview in previews {
            let view = try? await services.store.app(preview.name)
            items.append([
                "name": .string(preview.name),
                "url": .string(url(preview.name)),
                "status": .string(view.map(Present.phase) ?? AppPhase.pending.rawValue),
                "pr_number": .int(preview.prNumber),
                "image": .string(preview.image),
                "head_sha": .text(preview.headSHA),
                "branch": .text(preview.branch),
                "fork": .bool(preview.fork),
                "created_at": .time(preview.createdAt),
                "updated_at": .time(preview.updatedAt),
                "expires_at": .time(preview.expiresAt),
                "github": link.map { github(preview, repo: $0.repo, deployments) } ?? .null,
            ])
        }
        return try .json(["previews": .array(items)])
    }

    /// What GitHub shows of the preview's current commit: the deployment, the state last posted,
    /// and why the last attempt failed; or why there is no deployment.
    func github(_ preview: Preview, repo: String, _ deployments: [GitHubDeployment]) -> JSONValue {
        guard let row = deployments.first(where: { $0.previewApp == preview.name && $0.sha == preview.headSHA }) else {
            let why = preview.headSHA == nil
                ? "The preview has no head SHA to deploy"
                : "No deployment: no GitHub App installation covered \(repo) when the preview got this commit"
            return ["deployment_id": .null, "state": .null, "error": .string(why), "attempts": .int(0), "next_attempt_at": .null]
        }
        return [
            "deployment_id": row.deploymentID.map { .int(Int($0)) } ?? .null,
            "state": .text(row.state),
            "error": .text(row.error),
            "attempts": .int(row.attempts),
            "next_attempt_at": row.nextAttemptAt.map { .time($0) } ?? .null,
        ]
    }

    /// `{"pr_number": 123, "image": "...", "head_sha": "...", "branch": "...", "fork": false}`:
    /// 201 with the new preview's name and URL, 200 when it existed and was updated.
    @Sendable func create(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let parent = context.parameter("name")
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        try body.rejectUnknown(allowed: ["pr_number", "image", "head_sha", "branch", "fork"])
        guard let number = try body.int("pr_number") else { throw APIError.invalid("is required", field: "pr_number") }
        guard (1...Self.maxPRNumber).contains(number) else {
            throw APIError.invalid("must be between 1 and \(Self.maxPRNumber)", field: "pr_number")
        }
        let sha = try body.string("head_sha")
        if let sha, let problem = Preview.headSHAProblem(sha) { throw APIError.invalid(problem, field: "head_sha") }
        let branch = try body.string("branch")
        if let branch, let problem = Preview.branchProblem(branch) { throw APIError.invalid(problem, field: "branch") }
        let fork = try body.bool("fork") ?? false
        let policy = try await services.store.app(parent).app.spec.previews
        if fork && !policy.forks {
            throw APIError.forbidden("App '\(parent)' takes no previews of pull requests from forks (previews.forks is false)")
        }
        let image = try resolveImage(body: body, policy: policy, number: number, sha: sha, branch: branch)
        let outcome = try await services.store.upsertPreview(
            parent, PreviewRequest(prNumber: number, image: image, headSHA: sha, branch: branch, fork: fork), by: context.actor)
        let name = outcome.preview.name
        if outcome.created {
            services.event(parent, "Preview \(name) for PR #\(number) created by \(context.actor)")
        } else {
            services.event(parent, "Preview \(name) for PR #\(number) updated by \(context.actor)")
        }
        if let release = outcome.release {
            context.record.noteRelease()
            services.event(name, "Release v\(release.version) created by \(context.actor): deploy \(image)")
        }
        let phase = outcome.release != nil ? AppPhase.deploying.rawValue : Present.phase(try await services.store.app(name))
        var response = try Response.json(
            [
                "name": .string(name),
                "url": .string(url(name)),
                "status": .string(phase),
                "pr_number": .int(number),
                "image": .string(image),
                "expires_at": .time(outcome.preview.expiresAt),
            ], status: outcome.created ? .created : .ok)
        if outcome.created { response.headers[.location] = "/api/v1/apps/\(name)" }
        return response
    }

    /// The image given, or the parent's template filled in; either must be an image reference.
    func resolveImage(body: FieldReader, policy: PreviewPolicy, number: Int, sha: String?, branch: String?) throws -> String {
        if let image = try body.string("image") {
            if let problem = Rules.imageReference(image) { throw APIError.invalid("Image \(problem)", field: "image") }
            return image
        }
        guard let template = policy.image else {
            throw APIError.invalid("is required (the app's previews.image template is not set)", field: "image")
        }
        if policy.templateNeeds("sha") && sha == nil {
            throw APIError.invalid("is required by the image template '\(template)'", field: "head_sha")
        }
        if policy.templateNeeds("branch") && branch == nil {
            throw APIError.invalid("is required by the image template '\(template)'", field: "branch")
        }
        let image = PreviewPolicy.render(template, number: number, sha: sha, branch: branch)
        if let problem = Rules.imageReference(image) {
            throw APIError.invalid("Image '\(image)' from the template \(problem)", field: "image")
        }
        return image
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
