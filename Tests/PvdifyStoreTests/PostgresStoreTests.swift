import Foundation
import PvdifyTestSupport
import Testing
@testable import PvdifyStore

/// What only the PostgreSQL backend has: its URL, its placeholders, and its schema's column types.
@Suite struct PostgresStoreTests {
    @Test func theURLNamesEverythingAndItsDescriptionHidesThePassword() throws {
        let location = try PostgresLocation(url: "postgres://pvdify:s%40cret@db.internal:6543/pvdify?sslmode=require")
        #expect(location == PostgresLocation(host: "db.internal", port: 6543, username: "pvdify", password: "s@cret", database: "pvdify", requiresTLS: true))
        #expect(!location.description.contains("cret"))
        #expect(location.description == "postgres://pvdify:***@db.internal:6543/pvdify?sslmode=require")
        #expect(try PostgresLocation(url: "postgresql://u@h/d").port == 5432)
        for bad in ["mysql://u:p@h/d", "postgres://h/d", "postgres://u:p@h", "postgres://u:p@h/d?sslmode=maybe", "postgres://u@h:0/d"] {
            #expect(throws: StoreError.self, "\(bad)") { try PostgresLocation(url: bad) }
        }
    }

    @Test func placeholdersAreNumberedOutsideQuotes() {
        let text = PostgresStatementText("SELECT '?', \"a?\" FROM t WHERE a = ? AND b LIKE '%''?%' AND c IN (?, ?)")
        #expect(text.numbered == "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b LIKE '%''?%' AND c IN ($2, $3)")
        #expect(text.placeholderCount == 3)
        #expect(!text.isScript)
        #expect(!PostgresStatementText("DELETE FROM t;  \n").isScript)
        #expect(PostgresStatementText("CREATE TABLE a (x TEXT); CREATE TABLE b (y TEXT);").statements == ["CREATE TABLE a (x TEXT)", "CREATE TABLE b (y TEXT)"])
        #expect(!PostgresStatementText("SELECT ';x' FROM t").isScript)
    }

    /// SQLite's INTEGER and REAL are 64-bit; PostgreSQL's INTEGER and REAL are 32-bit. A migration
    /// that runs its SQLite text on PostgreSQL would cut timestamps and ids short.
    @Test(.enabled(if: StoreBackend.serverURL != nil)) func everyNumberColumnIs64Bit() async throws {
        try await withStore(.postgres) { store, _ in
            let narrow = try await store.read { db in
                try SQLRow.fetchAll(
                    db,
                    sql: """
                        SELECT table_name, column_name, data_type FROM information_schema.columns
                        WHERE table_schema = 'public' AND data_type IN ('integer', 'smallint', 'real', 'numeric')
                        """
                ).map { "\($0["table_name"] as String).\($0["column_name"] as String) \($0["data_type"] as String)" }
            }
            #expect(narrow == [])
            let migrations = try await store.read { db in try String.fetchAll(db, sql: "SELECT name FROM schema_migrations ORDER BY name") }
            #expect(migrations == Schema.migrator.migrations.map(\.name).sorted())
        }
    }

    @Test(.enabled(if: StoreBackend.serverURL != nil)) func secretsStaySealedAndJSONIsReadInPlace() async throws {
        try await withStore(.postgres) { store, _ in
            _ = try await store.createApp(name: "web", environment: .production)
            _ = try await store.changeConfig("web", ["API_KEY": .secret("hidden"), "PLAIN": .set("visible")], by: "t")
            #expect(try await store.resolvedConfig("web", version: 1)["API_KEY"] == "hidden")
            let reopened = try await store.read { db in
                try Data.fetchOne(db, sql: "SELECT sealed_secrets FROM config_versions WHERE app = ?", arguments: ["web"])
            }
            #expect(try #require(reopened).range(of: Data("hidden".utf8)) == nil)
            let dialect = store.database.dialect
            let environment = try await store.read { db in
                try String.fetchOne(db, sql: "SELECT \(dialect.jsonText("spec", "environment")) FROM apps WHERE name = 'web'")
            }
            #expect(environment == "production")
        }
    }
}
