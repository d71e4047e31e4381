import Foundation
import PvdifyTestSupport
import Testing
@testable import PvdifyStore

/// The GitHub App's private key: stored sealed with the secret key, read back by a later start,
/// replaced by a new one.
@Suite struct GitHubAppKeyTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-ghkey-\(UUID().uuidString)")
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecretmaterial0123456789\n-----END RSA PRIVATE KEY-----\n"

    @Test(arguments: StoreBackend.available) func theKeyIsReadBackByALaterStartAndReplaced(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, directory in
            #expect(try await store.githubAppKey() == nil)
            #expect(try await store.hasGitHubAppKey() == false)
            try await store.storeGitHubAppKey(pem)
            // The row holds it sealed.
            let stored = try await store.read { db in try Data.fetchOne(db, sql: "SELECT sealed_key FROM github_app_key WHERE id = 1") }
            #expect(try #require(stored).range(of: Data("secretmaterial".utf8)) == nil)
            try store.close()

            let reopened = try await backend.openStore(directory: directory)
            #expect(try await reopened.githubAppKey() == pem)
            #expect(try await reopened.hasGitHubAppKey())
            try await reopened.storeGitHubAppKey("another key")
            #expect(try await reopened.githubAppKey() == "another key")
            try reopened.close()
        }
    }

    /// Reads SQLite's database files (the WAL too), which only that backend has.
    @Test func theKeyIsNotInTheSQLiteFileInClear() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try Store(dataDirectory: root, secrets: try SecretBox.load(dataDirectory: root, environmentKey: nil))
        try await store.storeGitHubAppKey(pem)
        try store.close()

        var bytes = Data()
        for name in ["pvdify.sqlite", "pvdify.sqlite-wal"] {
            bytes += (try? Data(contentsOf: root.appendingPathComponent(name))) ?? Data()
        }
        #expect(bytes.range(of: Data("secretmaterial".utf8)) == nil)
        #expect(bytes.range(of: Data("PRIVATE KEY".utf8)) == nil)
    }
}
