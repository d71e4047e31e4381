import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `POST /sources/{source}/webhook`: a push from GitHub (or GitLab) wakes the source's sync at
/// once. No bearer token: the delivery must carry proof made with the source's webhook secret
/// (see `WebhookProof`). An unknown source, one without a webhook secret, and a wrong proof all get
/// the same 401, so the route tells nobody which sources exist. A verified push only asks for a
/// sync: the reconciler fetches the source's ref itself and never reads the payload.
struct SourceWebhookController {
    let services: APIServices
    let deliveries = WebhookDeliveries()

    func register(in routes: RouteTable) {
        routes.add(.post, "/api/v1/sources/{source}/webhook", scope: nil, receive)
    }

    @Sendable func receive(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let name = context.parameter("source")
        let body = try await request.rawBody(limit: services.settings.maxBodyBytes)
        let proof = try WebhookProof.required(
            request.headers, missing: "A webhook delivery needs X-Hub-Signature-256 (or X-Gitlab-Token) made with the source's webhook secret")
        let secret = Rules.appName(name) == nil ? try await services.store.sourceCredentials(name).webhookSecret : nil
        guard proof.verifies(body, secret: secret) else { throw Self.refused }

        let event = WebhookEvent.read(request.headers, proof: proof)
        let contentType = request.headers[.contentType]
        return try await deliveries.once(event.delivery, for: name) {
            try Self.answer(name, event, "duplicate", "Delivery \(event.delivery ?? "") was received before; nothing done")
        } _: {
            try await handle(event, name: name, body: body, contentType: contentType)
        }
    }

    func handle(_ event: WebhookEvent, name: String, body: Data, contentType: String?) async throws -> Response {
        switch event.kind {
        case .ping:
            return try Self.answer(name, event, "pong", "The webhook of source '\(name)' works")
        case .other:
            return try Self.answer(name, event, "ignored", "Only push events start a sync", status: .accepted)
        case .push:
            let source: Source
            do {
                source = try await services.store.source(name)
            } catch StoreError.notFound {
                throw Self.refused  // deleted since its secret was read
            }
            if source.spec.suspend {
                return try Self.answer(name, event, "ignored", "Source '\(name)' is suspended", status: .accepted)
            }
            guard let followed = source.spec.ref.refName else {
                return try Self.answer(name, event, "ignored", "Source '\(name)' stays at a fixed commit", status: .accepted)
            }
            if let pushed = WebhookEvent.pushedRef(body, contentType: contentType), pushed != followed {
                return try Self.answer(name, event, "ignored", "The push is to \(pushed); source '\(name)' follows \(followed)", status: .accepted)
            }
            let requested = try await services.store.requestSync(name)
            var answer = try Self.json(name, event, "sync_requested", "Source '\(name)' syncs now")
            answer["requested_at"] = .string(Timestamps.formatFractional(requested))
            return try .json(.object(answer), status: .accepted)
        }
    }

    /// The one refusal for a wrong proof, an unknown source and a source without a webhook secret.
    static let refused = APIError.unauthorized("The webhook signature does not match a webhook secret of this source")

    static func answer(
        _ name: String, _ event: WebhookEvent, _ outcome: String, _ message: String, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        try .json(.object(try json(name, event, outcome, message)), status: status)
    }

    static func json(_ name: String, _ event: WebhookEvent, _ outcome: String, _ message: String) throws -> [String: JSONValue] {
        [
            "source": .string(name), "event": .string(event.name), "delivery": .text(event.delivery),
            "outcome": .string(outcome), "message": .string(message),
        ]
    }
}
