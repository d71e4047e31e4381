import Foundation
import Hummingbird

/// `/health` and `/api/v1/health`: no token needed.
struct HealthController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/health", scope: nil, health)
        routes.add(.get, "/api/v1/health", scope: nil, health)
    }

    @Sendable func health(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try .json([
            "status": "healthy",
            "version": .string(services.settings.version),
            "uptime": .string(Self.uptime(Date().timeIntervalSince(services.settings.startedAt))),
            "leader": .bool(services.settings.leadership?() ?? true),
        ])
    }

    /// `72h15m30s`, as the reference shows.
    static func uptime(_ interval: TimeInterval) -> String {
        let seconds = max(0, Int(interval))
        return "\(seconds / 3600)h\(seconds % 3600 / 60)m\(seconds % 60)s"
    }
}
