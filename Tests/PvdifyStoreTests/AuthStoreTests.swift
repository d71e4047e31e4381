import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing
@testable import PvdifyStore

/// Tokens (revocation under load, expiry, the admin migration) and the audit log, at the store.
@Suite struct AuthStoreTests {
    @Test(arguments: StoreBackend.available) func aRevokedTokenIsNeverCachedAgain(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            for index in 0..<20 {
                let (token, secret) = try await store.createToken(name: "busy-\(index)", scopes: [.read], apps: nil)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 {
                        group.addTask { for _ in 0..<20 { _ = try await store.authenticate(secret: secret) } }
                    }
                    group.addTask { try await store.revokeToken(id: token.id) }
                    try await group.waitForAll()
                }
                #expect(try await store.authenticate(secret: secret) == nil, "token \(index) outlived its revocation")
                await #expect(throws: StoreError.self) { try await store.revokeToken(id: token.id) }
            }
        }
    }

    /// The interleaving behind the defect, made certain: a lookup reads the token before the
    /// revocation commits, and only writes its `last_used_at` (and caches the token) after it.
    @Test(arguments: StoreBackend.available) func aLookupThatRacedTheRevocationDoesNotCacheTheToken(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let (token, secret) = try await store.createToken(name: "raced", scopes: [.read], apps: nil)
            // Hold the writer, so the revocation's delete waits in line.
            let busy = Task { try await store.database.write { _ in Thread.sleep(forTimeInterval: 0.3) } }
            try await Task.sleep(for: .milliseconds(50))
            let revocation = Task { try await store.revokeToken(id: token.id) }
            try await Task.sleep(for: .milliseconds(50))
            // Reads the token (the delete has not committed), then queues its write behind the delete.
            let lookup = Task { try await store.authenticate(secret: secret) }
            try await busy.value
            try await revocation.value
            _ = try await lookup.value
            #expect(try await store.authenticate(secret: secret) == nil, "the revoked token was cached again")
        }
    }

    @Test(arguments: StoreBackend.available) func expiredTokensAreRefused(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let now = Date()
            let (token, secret) = try await store.createToken(
                name: "brief", scopes: [.read], apps: nil, expiresAt: now.addingTimeInterval(60))
            #expect(try await store.authenticate(secret: secret, now: now)?.id == token.id)
            #expect(try await store.authenticate(secret: secret, now: now.addingTimeInterval(61)) == nil)
            #expect(try await store.tokens().first?.expiresAt != nil)
        }
    }

    @Test(arguments: StoreBackend.available) func appLimitedAdminTokensAreReducedToWrite(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            try await store.database.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO tokens (id, name, hash, scopes, apps, created_at) VALUES
                            ('tok_a', 'limited-admin', ?, '["admin","read"]', '["web"]', 0),
                            ('tok_b', 'admin', ?, '["admin"]', NULL, 0),
                            ('tok_c', 'limited-deploy', ?, '["deploy"]', '["web"]', 0)
                        """,
                    arguments: [Data(repeating: 1, count: 32), Data(repeating: 2, count: 32), Data(repeating: 3, count: 32)])
                try TokenMigrations.reduceAppLimitedAdmins(db)
            }
            let scopes = Dictionary(uniqueKeysWithValues: try await store.tokens().map { ($0.name, $0.scopes) })
            #expect(scopes["limited-admin"] == [.read, .write])
            #expect(scopes["admin"] == [.admin])
            #expect(scopes["limited-deploy"] == [.deploy])
        }
    }

    static func entry(_ app: String?, token: String? = "tok_1", at time: Date = Date(), status: Int = 200) -> AuditEntry {
        AuditEntry(
            time: time, tokenID: token, tokenName: token.map { "name-\($0)" }, source: "127.0.0.1", method: "POST",
            route: "/api/v1/apps/{name}/config", app: app, status: status)
    }

    @Test(arguments: StoreBackend.available) func auditEntriesAreFilteredNewestFirst(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            store.recordAudit(Self.entry("web", at: start))
            store.recordAudit(Self.entry("api", token: "tok_2", at: start.addingTimeInterval(10), status: 403))
            store.recordAudit(Self.entry("web,api", at: start.addingTimeInterval(20)))
            store.recordAudit(Self.entry(nil, token: nil, at: start.addingTimeInterval(30), status: 401))
            let all = try await store.auditEntries(AuditQuery())
            #expect(all.map(\.time) == (0..<4).reversed().map { start.addingTimeInterval(Double($0) * 10) })
            #expect(try await store.auditEntries(AuditQuery(app: "api")).count == 2)
            #expect(try await store.auditEntries(AuditQuery(app: "we")).isEmpty)
            #expect(try await store.auditEntries(AuditQuery(token: "tok_2")).map(\.status) == [403])
            #expect(try await store.auditEntries(AuditQuery(token: "name-tok_1")).count == 2)
            #expect(try await store.auditEntries(AuditQuery(since: start.addingTimeInterval(15))).count == 2)
            #expect(try await store.auditEntries(AuditQuery(until: start.addingTimeInterval(15))).count == 2)
            #expect(try await store.auditEntries(AuditQuery(limit: 1)).first?.outcome == "denied")
        }
    }

    @Test(arguments: StoreBackend.available) func theAuditLogIsTrimmedToItsRetention(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let now = Date()
            store.recordAudit(Self.entry("ancient", at: now.addingTimeInterval(-100 * 86_400)))
            for index in 0..<30 { store.recordAudit(Self.entry("app\(index)", at: now.addingTimeInterval(Double(index - 30)))) }
            try await store.flushAudit()
            try await store.trimAudit(retention: AuditRetention(maxEntries: 10, maxAge: 90 * 86_400), now: now)
            let kept = try await store.auditEntries(AuditQuery(limit: 1_000))
            #expect(kept.count == 10)
            #expect(!kept.contains { $0.app == "ancient" })
            #expect(kept.map(\.app) == (20..<30).reversed().map { "app\($0)" })
            try await store.trimAudit(retention: AuditRetention(maxEntries: 100, maxAge: 5), now: now)
            #expect(try await store.auditEntries(AuditQuery(limit: 1_000)).map(\.app) == (25..<30).reversed().map { "app\($0)" })
        }
    }

    @Test(arguments: StoreBackend.available) func pendingAuditEntriesAreWrittenWhenTheStoreCloses(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, directory in
            store.recordAudit(Self.entry("web"))
            try store.close()
            let reopened = try await backend.openStore(directory: directory)
            #expect(try await reopened.auditEntries(AuditQuery()).map(\.app) == ["web"])
            try reopened.close()
        }
    }
}
