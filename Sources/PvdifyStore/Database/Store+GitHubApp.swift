import Foundation

extension Store {
    /// Stores the GitHub App's private key (PEM), sealed with the secret key like app secrets,
    /// replacing any stored before.
    public func storeGitHubAppKey(_ pem: String, now: Date? = nil) async throws {
        let sealed = try secrets.seal(["pem": pem])
        let now = now ?? Date.nowInSeconds
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO github_app_key (id, sealed_key, updated_at) VALUES (1, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET sealed_key = excluded.sealed_key, updated_at = excluded.updated_at
                    """,
                arguments: [sealed, now.timeIntervalSince1970])
            return ((), [])
        }
    }

    /// The stored GitHub App private key (PEM), or nil when none was ever given.
    public func githubAppKey() async throws -> String? {
        let box = secrets
        return try await read { db in
            guard let sealed = try Data.fetchOne(db, sql: "SELECT sealed_key FROM github_app_key WHERE id = 1") else { return nil }
            return try box.open(sealed)["pem"]
        }
    }

    /// Whether a GitHub App private key is stored (without opening it).
    public func hasGitHubAppKey() async throws -> Bool {
        try await read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM github_app_key WHERE id = 1") ?? false }
    }
}
