import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing
@testable import PvdifyStore

/// `pvdifyd migrate`: a SQLite store copied into PostgreSQL, row for row, secrets still sealed.
@Suite struct StoreCopyTests {
    @Test(.enabled(if: StoreBackend.serverURL != nil)) func everythingArrivesAndStillOpensWithTheSameKey() async throws {
        try await withStore(.sqlite) { source, directory in
            _ = try await source.createApp(name: "web", environment: .production)
            _ = try await source.changeConfig("web", ["API_KEY": .secret("s3cret"), "PLAIN": .set("1")], by: "t")
            _ = try await source.createRelease("web", image: "reg.io/web:1", by: "t")
            try await source.appendReleaseLog("web", version: 1, "pulled")
            _ = try await source.addDomain("web", name: "www.example.com")
            let (token, secret) = try await source.createToken(name: "ci", scopes: [.deploy], apps: ["web"])
            source.recordAudit(AuthStoreTests.entry("web", token: token.id))
            try await source.flushAudit()

            try await withStore(.postgres) { target, _ in
                let counts = try await StoreCopy.copy(from: source.database, to: target.database, instanceID: "abc123def456")
                // Every table holds what the source holds (the installation: the id given).
                for table in StoreCopy.tables where table != "installation" {
                    let sql = "SELECT COUNT(*) FROM \(table)"
                    let expected = try await source.read { db in try Int.fetchOne(db, sql: sql) }
                    #expect(try await target.read { db in try Int.fetchOne(db, sql: sql) } == expected, "\(table)")
                    #expect(counts[table] == expected, "\(table)")
                }
                #expect(counts["apps"] == 1 && counts["audit_log"] == 1 && counts["installation"] == 1)
                // The target's store, opened with the source's secret key (its directory), reads it all.
                let moved = Store(database: target.database, secrets: try SecretBox.load(dataDirectory: directory, environmentKey: nil))
                #expect(try await moved.resolvedConfig("web", version: 1)["API_KEY"] == "s3cret")
                #expect(try await moved.authenticate(secret: secret)?.id == token.id)
                #expect(try await moved.app("web").domains == ["www.example.com"])
                #expect(try await moved.release("web", version: 1).image == "reg.io/web:1")
                #expect(try await moved.installationID() == "abc123def456")
                #expect(try await moved.auditEntries(AuditQuery(limit: 10)).first?.tokenID == token.id)
                // Ids go on after the copied ones.
                try await moved.appendReleaseLog("web", version: 1, "started")
                // Never merged into a store that is already there.
                await #expect(throws: StoreError.self) {
                    try await StoreCopy.copy(from: source.database, to: target.database, instanceID: nil)
                }
            }
        }
    }

    /// `pvdifyd backup` on PostgreSQL: the store becomes a SQLite file (mode 0600) in the form a
    /// SQLite backup has, which restores into an empty PostgreSQL database or opens as a data
    /// directory's store, secrets still sealed with the same key.
    @Test(.enabled(if: StoreBackend.serverURL != nil)) func aPostgreSQLStoreBacksUpAndRestoresWithTheSameKey() async throws {
        try await withStore(.postgres) { source, directory in
            _ = try await source.createApp(name: "web", environment: .production)
            _ = try await source.changeConfig("web", ["API_KEY": .secret("s3cret"), "PLAIN": .set("1")], by: "t")
            _ = try await source.createRelease("web", image: "reg.io/web:1", by: "t")
            let (token, secret) = try await source.createToken(name: "ci", scopes: [.deploy], apps: ["web"])
            let installation = try await source.installationID()
            let secrets = try SecretBox.load(dataDirectory: directory, environmentKey: nil)

            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-backup-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent(Store.databaseFileName)
            try await Store.backup(from: source.database, to: file)
            #expect(try Store.appCount(inDatabase: file) == 1)
            let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
            #expect(!FileManager.default.fileExists(atPath: file.path + "-wal"))
            await #expect(throws: StoreError.self) { try await Store.backup(from: source.database, to: file) }

            try await withStore(.postgres) { target, _ in
                let counts = try await Store.restore(from: file, into: target.database)
                #expect(counts["apps"] == 1 && counts["releases"] == 1 && counts["tokens"] == 1)
                let restored = Store(database: target.database, secrets: secrets)
                #expect(try await restored.resolvedConfig("web", version: 1)["API_KEY"] == "s3cret")
                #expect(try await restored.authenticate(secret: secret)?.id == token.id)
                #expect(try await restored.installationID() == installation)
                // Never merged into a store that is already there.
                await #expect(throws: StoreError.self) { try await Store.restore(from: file, into: target.database) }
            }
            // The same file is a data directory's store: back to one server.
            let single = Store(database: try SQLiteDatabase(path: file.path), secrets: secrets)
            #expect(try await single.resolvedConfig("web", version: 1)["API_KEY"] == "s3cret")
            #expect(try await single.release("web", version: 1).image == "reg.io/web:1")
            try single.close()
        }
    }

    /// A table added by a migration must be copied too (or left out on purpose, as the lease is):
    /// `pvdifyd migrate` would otherwise lose it without a word.
    @Test func everyTableOfTheSchemaIsCopied() async throws {
        try await withStore(.sqlite) { store, _ in
            let schema = try await store.read { db in
                try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'")
            }
            let notCopied = Set(schema).subtracting(StoreCopy.tables).subtracting(["leader_lease"])
            #expect(notCopied.isEmpty, "tables pvdifyd migrate leaves behind: \(notCopied.sorted())")
            #expect(Set(StoreCopy.tables).isSubset(of: schema))
        }
    }
}
