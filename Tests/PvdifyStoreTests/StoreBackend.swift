import Foundation
import Logging
import PostgresNIO
import Testing
@testable import PvdifyStore

/// The databases the store tests run on: SQLite always, PostgreSQL when
/// `PVDIFY_TEST_POSTGRES_URL` names a server where the test role may create databases
/// (hack/test.sh starts one with hack/postgres.sh).
enum StoreBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var available: [StoreBackend] { [.sqlite] + (serverURL == nil ? [] : [.postgres]) }

    static var serverURL: String? { ProcessInfo.processInfo.environment["PVDIFY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    var testDescription: String { rawValue }

    /// Opens a store on a new, empty database of this backend (for PostgreSQL one database per
    /// test, so tests run in parallel), with its secret key in `directory`.
    func openStore(directory: URL) async throws -> Store {
        let secrets = try SecretBox.load(dataDirectory: directory, environmentKey: nil)
        switch self {
        case .sqlite:
            return try Store(dataDirectory: directory, secrets: secrets)
        case .postgres:
            var location = try PostgresLocation(url: try #require(Self.serverURL))
            location.database = try await Self.createDatabase(on: location)
            return Store(database: try await PostgreSQLDatabase(location: location, readers: 2), secrets: secrets)
        }
    }

    /// Removes what `openStore` made, after the store is closed.
    func dropStore(_ store: Store) async throws {
        guard self == .postgres, let database = store.database as? PostgreSQLDatabase else { return }
        let server = try PostgresLocation(url: try #require(Self.serverURL))
        let name = database.location.database
        try await Self.run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: server)
    }

    /// A new database named `pvdify_test_<random hex>` on the server; returns its name.
    static func createDatabase(on server: PostgresLocation) async throws -> String {
        let name = "pvdify_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await run("CREATE DATABASE \(name)", on: server)
        return name
    }

    static func run(_ sql: String, on server: PostgresLocation) async throws {
        let configuration = PostgresConnection.Configuration(
            host: server.host, port: server.port, username: server.username, password: server.password,
            database: server.database, tls: .disable)
        let logger = Logger(label: "store-tests")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        do {
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
