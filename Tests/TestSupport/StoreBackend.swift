import Foundation
import PvdifyStore

/// The databases a test store can be on: SQLite always, PostgreSQL when `PVDIFY_TEST_POSTGRES_URL`
/// names a server where the test role may create databases (hack/test.sh starts one with
/// hack/postgres.sh). A test's store is named by its directory, which holds its secret key: on
/// SQLite the store is the file in it, on PostgreSQL a database named after it, so opening the
/// same directory again finds the same rows on both.
public enum StoreBackend: String, Sendable, CaseIterable {
    case sqlite
    case postgres

    /// The backends the store suites run on: each one the tests can reach.
    public static var available: [StoreBackend] { [.sqlite] + (serverURL == nil ? [] : [.postgres]) }

    /// The backend of the API and controller suites' stores: PostgreSQL with
    /// `PVDIFY_TEST_STORE=postgres` (which then needs `PVDIFY_TEST_POSTGRES_URL`), else SQLite.
    public static var selected: StoreBackend {
        ProcessInfo.processInfo.environment["PVDIFY_TEST_STORE"] == "postgres" ? .postgres : .sqlite
    }

    /// The PostgreSQL server's URL, or nil when the tests run without one.
    public static var serverURL: String? { TestPostgres.serverURL }

    /// Opens the store of `directory`, empty the first time (on PostgreSQL a database per
    /// directory, so tests run in parallel), sealing with the secret key kept in `directory`
    /// unless `secrets` is given.
    public func openStore(directory: URL, secrets: SecretBox? = nil) async throws -> Store {
        let secrets = try secrets ?? SecretBox.load(dataDirectory: directory, environmentKey: nil)
        switch self {
        case .sqlite:
            return try Store(dataDirectory: directory, secrets: secrets)
        case .postgres:
            let name = TestPostgres.databaseName(for: directory)
            let url = try await TestPostgres.openDatabase(name)
            do {
                return Store(database: try await PostgreSQLDatabase(location: try PostgresLocation(url: url), readers: 2), secrets: secrets)
            } catch {
                try? await TestPostgres.dropDatabase(name)
                throw error
            }
        }
    }

    /// Removes what `openStore` made for `directory` once its stores are closed: the directory,
    /// and on PostgreSQL its database.
    public func removeStore(directory: URL) async throws {
        try? FileManager.default.removeItem(at: directory)
        if self == .postgres {
            try await TestPostgres.dropDatabase(TestPostgres.databaseName(for: directory))
        }
    }
}
