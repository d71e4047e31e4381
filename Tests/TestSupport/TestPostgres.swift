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

    /// The database that stands for a test store's directory: `pvdify_test_<hash of its path>`
    /// (FNV-1a, 64 bits), the same each time the directory is opened.
    public static func databaseName(for directory: URL) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in directory.standardizedFileURL.path.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "pvdify_test_" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Makes the database `name` unless it exists; returns its URL.
    public static func openDatabase(_ name: String) async throws -> String {
        precondition(isTestDatabase(name))
        guard let server = serverURL, var components = URLComponents(string: server) else {
            throw TestPostgresError.noServer
        }
        if try await !exists(name) { try await run("CREATE DATABASE \(name)") }
        components.path = "/" + name
        return components.string ?? server
    }

    /// Whether `name` is a name these helpers make (and so safe in a statement's text).
    static func isTestDatabase(_ name: String) -> Bool {
        name.hasPrefix("pvdify_test_") && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// Drops a database `createDatabase` made, closing what is still connected to it.
    public static func dropDatabase(_ name: String) async throws {
        precondition(isTestDatabase(name))
        try await run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Whether the server has a database `name`.
    static func exists(_ name: String) async throws -> Bool {
        try await withConnection { connection, logger in
            let rows = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger)
            var found = false
            for try await _ in rows { found = true }
            return found
        }
    }

    /// Runs one statement on the server's own database (making or dropping a test's database).
    /// Many tests start at once and each makes its database, so a statement the server turns
    /// away for the moment is tried again, a few times; the last failure is told in full (the
    /// driver's own description hides the server's message).
    static func run(_ sql: String) async throws {
        for attempt in 1...5 {
            do {
                try await withConnection { connection, logger in
                    _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                }
                return
            } catch {
                guard attempt < 5 else { throw TestPostgresError.statementFailed(sql, String(reflecting: error)) }
                try await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
    }

    /// Runs `body` on a new connection to the server's own database, closed afterwards.
    static func withConnection<T>(_ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
        guard let server = serverURL, let components = URLComponents(string: server), let host = components.host,
              let user = components.user
        else { throw TestPostgresError.noServer }
        let configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: String(components.path.dropFirst()), tls: .disable)
        let logger = Logger(label: "test-postgres")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        do {
            let value = try await body(connection, logger)
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// Why a test could not reach the tests' PostgreSQL server, or could not set up its database there.
public enum TestPostgresError: Error, CustomStringConvertible {
    case noServer
    case statementFailed(String, String)

    public var description: String {
        switch self {
        case .noServer: "no PostgreSQL server for the tests (PVDIFY_TEST_POSTGRES_URL)"
        case .statementFailed(let sql, let error): "\(sql) failed: \(error)"
        }
    }
}
