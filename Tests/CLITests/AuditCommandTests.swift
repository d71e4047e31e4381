import Foundation
import PvdifyModel
import Testing

/// `pvdify tokens:create --expires` and `pvdify audit`, against a real pvdifyd.
@Suite(.timeLimit(.minutes(5))) struct AuditCommandTests {
    @Test func expiringTokensAndTheAuditLog() async throws {
        let daemon = try await Daemon.start()
        defer { daemon.stop() }
        let cli = CLI(daemon: daemon)
        let created = try await cli.run(["tokens:create", "ci", "--scope", "deploy", "--expires", "30d", "--json"])
        #expect(created.status == 0, "\(created)")
        let expiresAt = try #require(created.json["expires_at"]?.stringValue.flatMap(Timestamps.parse))
        #expect(abs(expiresAt.timeIntervalSinceNow - 30 * 86_400) < 120)
        let list = try await cli.run(["tokens"])
        #expect(list.stdout.contains("EXPIRES") && list.stdout.contains("never"))
        let bad = try await cli.run(["tokens:create", "x", "--scope", "read", "--expires", "soon"])
        #expect(bad.status != 0 && bad.stderr.contains("--expires"))

        #expect(try await cli.run(["apps:create", "myapp"]).status == 0)
        let audit = try await cli.run(["audit", "--app", "myapp", "--since", "1d"])
        #expect(audit.status == 0, "\(audit)")
        #expect(audit.stdout.contains("/api/v1/apps") && audit.stdout.contains("201 ok"))
        let json = try await cli.run(["audit", "--token", "admin", "--json"])
        let routes = json.json["entries"]?.arrayValue?.compactMap { $0["route"]?.stringValue } ?? []
        #expect(routes == ["/api/v1/apps", "/api/v1/tokens"])
    }
}
