import Foundation
import PvdifyTestSupport
import Testing
@testable import PvdifyStore

/// The databases the store tests run on: SQLite always, PostgreSQL when
/// `PVDIFY_TEST_POSTGRES_URL` names a server where the test role may create databases
/// (hack/test.sh starts one with hack/postgres.sh).
enum StoreBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var available: [StoreBackend] { [.sqlite] + (serverURL == nil ? [] : [.postgres]) }

    static var serverURL: String? { TestPostgres.serverURL }

    var testDescription: String { rawValue }

    /// Opens a store on a new, empty database of this backend (for PostgreSQL one database per
    /// test, so tests run in parallel), with its secret key in `directory`.
    func openStore(directory: URL) async throws -> Store {
        let secrets = try SecretBox.load(dataDirectory: directory, environmentKey: nil)
        switch self {
        case .sqlite:
            return try Store(dataDirectory: directory, secrets: secrets)
        case .postgres:
            let (name, url) = try await TestPostgres.createDatabase()
            do {
                return Store(database: try await PostgreSQLDatabase(location: try PostgresLocation(url: url), readers: 2), secrets: secrets)
            } catch {
                try? await TestPostgres.dropDatabase(name)
                throw error
            }
        }
    }

    /// Removes what `openStore` made, after the store is closed.
    func dropStore(_ store: Store) async throws {
        guard self == .postgres, let database = store.database as? PostgreSQLDatabase else { return }
        try await TestPostgres.dropDatabase(database.location.database)
    }
}
