import Foundation
import Hummingbird
import PvdifyModel

/// `GET /api/v1/sealing-key`: the public half of the server's sealing key, the age recipient that
/// secret values are sealed to before they go into a manifest (`spec.sealed_secrets`).
struct SealingKeyController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/sealing-key", scope: .read, show)
    }

    @Sendable func show(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let key = try await services.store.sealingKey()
        return try .json(["recipient": .string(key.recipient), "created_at": .string(Timestamps.format(key.createdAt))])
    }
}
