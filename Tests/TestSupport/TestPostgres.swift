import Foundation
import Logging
import PostgresNIO

/// The tests' PostgreSQL server (hack/postgres.sh), named by `PVDIFY_TEST_POSTGRES_URL`: a role
/// that may create databases, so that each test works in a database of its own.
public enum TestPostgres {
    /// The server's URL, or nil when the tests run without PostgreSQL.
    public static var serverURL: String? {
        ProcessInfo.processInfo.environment["PVDIFY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Makes a new database `pvdify_test_<random hex>`; returns its name and its URL.
    public static func createDatabase() async throws -> (name: String, url: String) {
        guard let server = serverURL, var components = URLComponents(string: server) else {
            throw TestPostgresError.noServer
        }
        let name = "pvdify_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await run("CREATE DATABASE \(name)")
        components.path = "/" + name
        return (name, components.string ?? server)
    }

    /// Drops a database `createDatabase` made, closing what is still connected to it.
    public static func dropDatabase(_ name: String) async throws {
        precondition(name.hasPrefix("pvdify_test_") && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" })
        try await run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs one statement on the server's own database.
    static func run(_ sql: String) async throws {
        guard let server = serverURL, let components = URLComponents(string: server), let host = components.host,
              let user = components.user
        else { throw TestPostgresError.noServer }
        let configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: String(components.path.dropFirst()), tls: .disable)
        let logger = Logger(label: "test-postgres")
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

/// Why a test could not reach the tests' PostgreSQL server.
public enum TestPostgresError: Error {
    case noServer
}
