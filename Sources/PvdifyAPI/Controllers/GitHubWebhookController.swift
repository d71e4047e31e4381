import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `POST /integrations/github/webhook`: the GitHub App's webhooks. Pull requests of a repository
/// an app opts in from (`spec.github.repo`) create, update and delete that app's previews, through
/// the same store path as `POST /apps/{name}/previews`; installation events record which
/// repositories the App covers (`GET /integrations/github`). No bearer token: every delivery must
/// carry `X-Hub-Signature-256` made with the integration's webhook secret (see `WebhookProof`).
struct GitHubWebhookController {
    let services: APIServices
    let deliveries = WebhookDeliveries()

    /// The key of the integration's ids in the delivery memory (one memory for the whole App).
    static let deliveryScope = "github"
    /// What previews made by webhooks are recorded as made by.
    static let actor = "github"

    func register(in routes: RouteTable) {
        routes.add(.post, "/api/v1/integrations/github/webhook", scope: nil, receive)
        routes.add(.get, "/api/v1/integrations/github", scope: .admin, show)
    }

    @Sendable func receive(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let body = try await request.rawBody(limit: services.settings.maxBodyBytes)
        let proof = try WebhookProof.required(
            request.headers, missing: "A GitHub webhook delivery needs X-Hub-Signature-256 made with the webhook secret")
        // Without a configured secret the signature is still checked, against a throwaway key.
        guard case .githubSignature = proof, proof.verifies(body, secret: services.settings.githubWebhookSecret) else {
            throw Self.refused
        }
        let event = WebhookEvent.read(request.headers, proof: proof)
        let contentType = request.headers[.contentType]
        return try await deliveries.once(event.delivery, for: Self.deliveryScope) {
            try answer(event, "duplicate", "Delivery \(event.delivery ?? "") was received before; nothing done")
        } _: {
            try await handle(event, body: body, contentType: contentType, context: context)
        }
    }

    func handle(_ event: WebhookEvent, body: Data, contentType: String?, context: APIRequestContext) async throws -> Response {
        let handled = ["pull_request", "installation", "installation_repositories"]
        if event.name == "ping" { return try answer(event, "pong", "The GitHub webhook works") }
        guard handled.contains(event.name) else {
            return try answer(event, "ignored", "Only pull_request, installation and installation_repositories events are handled", status: .accepted)
        }
        guard let payload = WebhookEvent.payload(body, contentType: contentType), payload.objectValue != nil else {
            return try answer(event, "ignored", "The payload is not a JSON object", status: .accepted)
        }
        if event.name == "pull_request" { return try await pullRequest(event, payload, context: context) }
        return try await installation(event, payload)
    }

    /// `installation` and `installation_repositories`: which repositories the App covers.
    func installation(_ event: WebhookEvent, _ payload: JSONValue) async throws -> Response {
        let installation = payload["installation"]
        guard let id = installation?["id"]?.intValue, id > 0,
            let account = installation?["account"]?["login"]?.stringValue, GitHubLink.repositoryProblem("\(account)/x") == nil
        else {
            return try answer(event, "ignored", "The payload names no installation and account", status: .accepted)
        }
        let action = payload["action"]?.stringValue ?? ""
        func names(_ key: String) -> [String] {
            (payload[key]?.arrayValue ?? []).compactMap { $0["full_name"]?.stringValue }.filter { GitHubLink.repositoryProblem($0) == nil }
        }
        let selection = (installation?["repository_selection"] ?? payload["repository_selection"])?.stringValue
            .flatMap { ["all", "selected"].contains($0) ? $0 : nil }
        if event.name == "installation" && action == "deleted" {
            try await services.store.deleteGitHubInstallation(Int64(id))
            return try answer(event, "recorded", "Installation \(id) on \(account) removed")
        }
        let update: GitHubInstallationUpdate
        if event.name == "installation" {
            update = GitHubInstallationUpdate(
                id: Int64(id), account: account, repositorySelection: selection,
                repositories: payload["repositories"]?.arrayValue == nil ? nil : names("repositories"))
        } else {
            update = GitHubInstallationUpdate(
                id: Int64(id), account: account, repositorySelection: selection,
                added: names("repositories_added"), removed: names("repositories_removed"))
        }
        try await services.store.recordGitHubInstallation(update)
        return try answer(event, "recorded", "Installation \(id) on \(account) recorded (\(event.name) \(action))")
    }

    /// `GET /integrations/github`: whether webhooks are accepted, the installations and the
    /// repositories they cover, and the apps that opt in from a repository.
    @Sendable func show(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let installations = try await services.store.githubInstallations()
        let apps = try await services.store.githubLinkedApps()
        let covered = Set(installations.flatMap(\.repositories).map { $0.lowercased() })
        let keyStored = try await services.store.hasGitHubAppKey()
        return try .json([
            "app_id": services.settings.githubAppID.map { .int(Int($0)) } ?? .null,
            "api_url": .string(services.settings.githubAPIURL),
            "key_stored": .bool(keyStored),
            "webhook": [
                "path": "/api/v1/integrations/github/webhook",
                "secret_configured": .bool(services.settings.githubWebhookSecret != nil),
            ],
            "installations": .array(installations.map { installation in
                [
                    "id": .int(Int(installation.id)),
                    "account": .string(installation.account),
                    "repository_selection": .text(installation.repositorySelection),
                    "repositories": .strings(installation.repositories),
                    "updated_at": .time(installation.updatedAt),
                ]
            }),
            "apps": .array(apps.compactMap { app in
                app.spec.github.map { link in
                    ["name": .string(app.name), "repo": .string(link.repo), "installed": .bool(covered.contains(link.repo.lowercased()))]
                }
            }),
        ])
    }

    /// The one refusal for a wrong signature, whether or not a secret is configured.
    static let refused = APIError.unauthorized("The webhook signature does not match the GitHub webhook secret")

    func answer(
        _ event: WebhookEvent, _ outcome: String, _ message: String, status: HTTPResponse.Status = .ok,
        extra: [String: JSONValue] = [:]
    ) throws -> Response {
        var value: [String: JSONValue] = [
            "event": .string(event.name), "delivery": .text(event.delivery), "outcome": .string(outcome), "message": .string(message),
        ]
        value.merge(extra) { _, new in new }
        return try .json(.object(value), status: status)
    }
}
