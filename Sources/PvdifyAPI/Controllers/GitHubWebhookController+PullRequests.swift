import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// What a `pull_request` delivery did to one app that opts in from its repository.
struct PreviewChange: Sendable {
    var app: String
    var preview: String
    /// `created`, `updated`, `deleted`, `ignored`, `limit_reached` or `refused`.
    var outcome: String
    var message: String

    var json: JSONValue {
        ["app": .string(app), "preview": .string(preview), "outcome": .string(outcome), "message": .string(message)]
    }
}

extension GitHubWebhookController {
    /// `opened`, `reopened` and `synchronize` create or update the preview of every app that opts
    /// in from the repository; `closed` deletes it. Answered 200 `applied` when a preview changed,
    /// else 202 with why not (`ignored`, `limit_reached`, `refused`), per app in `previews`.
    func pullRequest(_ event: WebhookEvent, _ payload: JSONValue, context: APIRequestContext) async throws -> Response {
        let pull: GitHubPullRequest
        do {
            pull = try GitHubPullRequest.read(payload)
        } catch {
            return try answer(event, "ignored", error.reason, status: .accepted)
        }
        let apps = try await services.store.githubLinkedApps().filter { $0.spec.github?.matches(pull.repository) == true }
        guard !apps.isEmpty else {
            return try answer(event, "ignored", "No app opts in from \(pull.repository) (spec.github.repo)", status: .accepted)
        }
        context.record.noteApps(apps.map(\.name))
        var changes: [PreviewChange] = []
        switch pull.action {
        case "opened", "reopened", "synchronize":
            for app in apps { changes.append(try await deploy(pull, to: app)) }
        case "closed":
            for app in apps { changes.append(try await remove(pull, from: app)) }
        default:
            return try answer(event, "ignored", "Pull request action '\(pull.action)' changes no preview", status: .accepted)
        }
        let applied = changes.contains { ["created", "updated", "deleted"].contains($0.outcome) }
        let outcome = applied ? "applied" : changes.first { $0.outcome != "ignored" }?.outcome ?? "ignored"
        // Refused for now (the cap): "Redeliver" on GitHub, once a preview is gone, must try again.
        if let id = event.delivery, changes.contains(where: { ["limit_reached", "refused"].contains($0.outcome) }) {
            deliveries.forget(id, for: Self.deliveryScope)
        }
        return try answer(
            event, outcome, changes.map(\.message).joined(separator: "; "), status: applied ? .ok : .accepted,
            extra: ["previews": .array(changes.map(\.json))])
    }

    /// Creates or updates `app`'s preview of the pull request, with the image from its template.
    func deploy(_ pull: GitHubPullRequest, to app: App) async throws -> PreviewChange {
        let policy = app.spec.previews
        let name = App.previewName(parent: app.name, number: pull.number)
        func change(_ outcome: String, _ message: String) -> PreviewChange {
            PreviewChange(app: app.name, preview: name, outcome: outcome, message: message)
        }
        if pull.fork && !policy.forks {
            return change("ignored", "PR #\(pull.number) comes from a fork and app '\(app.name)' takes no previews of forks (previews.forks is false)")
        }
        guard let template = policy.image else {
            return change("ignored", "App '\(app.name)' has no previews.image template to make the image of PR #\(pull.number) from")
        }
        if policy.templateNeeds("branch") && pull.branch == nil {
            return change("ignored", "The branch of PR #\(pull.number) is not a name the image template '\(template)' can use")
        }
        let image = PreviewPolicy.render(template, number: pull.number, sha: pull.headSHA, branch: pull.branch)
        if let problem = Rules.imageReference(image) {
            return change("ignored", "Image '\(image)' from the template \(problem)")
        }
        // Said here so that the answer names the limit; the store refuses one more all the same.
        let records = try await services.store.previewRecords(app.name)
        if !records.contains(where: { $0.prNumber == pull.number }) && records.count >= policy.max {
            let message = "App '\(app.name)' already has \(records.count) previews, its limit (previews.max \(policy.max)): no preview of PR #\(pull.number)"
            services.event(app.name, "GitHub: \(message)")
            return change("limit_reached", message)
        }
        let request = PreviewRequest(
            prNumber: pull.number, image: image, headSHA: pull.headSHA, branch: pull.branch, fork: pull.fork,
            installationID: pull.installationID)
        let outcome: PreviewUpsert
        do {
            outcome = try await services.store.upsertPreview(app.name, request, by: Self.actor)
        } catch StoreError.conflict(let message), StoreError.notFound(let message) {
            services.event(app.name, "GitHub: no preview of PR #\(pull.number): \(message)")
            return change("refused", message)
        } catch StoreError.invalid(let error) {
            return change("refused", error.description)
        }
        let verb = outcome.created ? "created" : "updated"
        services.event(app.name, "Preview \(name) for PR #\(pull.number) \(verb) by \(Self.actor) (\(pull.headSHA))")
        if let release = outcome.release {
            services.event(name, "Release v\(release.version) created by \(Self.actor): deploy \(image)")
        }
        return change(verb, "Preview \(name) \(verb) with \(image)")
    }

    /// Deletes `app`'s preview of the pull request, if it has one.
    func remove(_ pull: GitHubPullRequest, from app: App) async throws -> PreviewChange {
        let name = App.previewName(parent: app.name, number: pull.number)
        do {
            try await services.store.deletePreview(app.name, number: pull.number)
        } catch StoreError.notFound {
            return PreviewChange(app: app.name, preview: name, outcome: "ignored", message: "App '\(app.name)' has no preview of PR #\(pull.number)")
        }
        services.logs.drop(name)
        services.event(app.name, "Preview \(name) deleted by \(Self.actor): PR #\(pull.number) closed")
        return PreviewChange(app: app.name, preview: name, outcome: "deleted", message: "Preview \(name) deleted")
    }
}
