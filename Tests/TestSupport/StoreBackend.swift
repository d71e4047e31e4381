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
            await OpenTestDatabases.shared.enter(name)
            do {
                let url = try await TestPostgres.openDatabase(name)
                return Store(database: try await PostgreSQLDatabase(location: try PostgresLocation(url: url), readers: 2), secrets: secrets)
            } catch {
                try? await TestPostgres.dropDatabase(name)
                await OpenTestDatabases.shared.leave(name)
                throw error
            }
        }
    }

    /// Removes what `openStore` made for `directory` once its stores are closed: the directory,
    /// and on PostgreSQL its database.
    public func removeStore(directory: URL) async throws {
        try? FileManager.default.removeItem(at: directory)
        if self == .postgres {
            let name = TestPostgres.databaseName(for: directory)
            do {
                try await TestPostgres.dropDatabase(name)
            } catch {
                await OpenTestDatabases.shared.leave(name)
                throw error
            }
            await OpenTestDatabases.shared.leave(name)
        }
    }
}

/// Bounds how many PostgreSQL test stores are open at once. Every test of a run starts together,
/// and a store holds about five connections (writer, two readers, notifier, listener): a hundred
/// tests at once would exhaust the server's `max_connections` (300, hack/postgres.sh). A store
/// takes a place when its directory's database is first opened and gives it back when removed.
actor OpenTestDatabases {
    static let shared = OpenTestDatabases(limit: 32)

    let limit: Int
    private var open: Set<String> = []
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = limit
    }

    /// Waits for a place for database `name` (none needed when it is open already).
    func enter(_ name: String) async {
        guard !open.contains(name) else { return }
        while open.count >= limit {
            await withCheckedContinuation { waiting.append($0) }
        }
        open.insert(name)
    }

    /// Gives the place of database `name` back, to the longest waiting.
    func leave(_ name: String) {
        guard open.remove(name) != nil, !waiting.isEmpty else { return }
        waiting.removeFirst().resume()
    }
}
