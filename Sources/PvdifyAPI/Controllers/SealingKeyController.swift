import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `/api/v1/sealing-key`: the public half of the server's sealing key, the age recipient that
/// secret values are sealed to before they go into a manifest (`spec.sealed_secrets`), and its
/// rotation. A rotation keeps the replaced key pair, retired, so that what was sealed to it still
/// opens; once every sealed value is sealed again, the retired pairs can be forgotten.
struct SealingKeyController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/sealing-key", scope: .read, show)
        routes.add(.post, "/api/v1/sealing-key/rotate", scope: .admin, rotate)
        routes.add(.delete, "/api/v1/sealing-key/retired", scope: .admin, forgetRetired)
    }

    @Sendable func show(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try .json(Self.json(try await services.store.sealingKey()))
    }

    @Sendable func rotate(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        // The audit log records who rotated and when, as for every change.
        try .json(Self.json(try await services.store.rotateSealingKey()), status: .created)
    }

    @Sendable func forgetRetired(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try .json(["forgotten": .number(try await services.store.forgetRetiredSealingKeys())])
    }

    static func json(_ key: SealingKey) -> JSONValue {
        [
            "recipient": .string(key.recipient),
            "created_at": .string(Timestamps.format(key.createdAt)),
            "retired": .array(key.retired.map { retired in
                [
                    "recipient": .string(retired.recipient),
                    "created_at": .string(Timestamps.format(retired.createdAt)),
                    "retired_at": .string(Timestamps.format(retired.retiredAt)),
                ]
            }),
        ]
    }
}
