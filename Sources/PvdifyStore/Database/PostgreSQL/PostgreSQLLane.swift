import Dispatch
import Logging
import PostgresNIO

/// One PostgreSQL connection and the serial dispatch queue its transactions run on. The store's
/// transactions are synchronous closures: they wait on postgres-nio's futures on this queue, which
/// is neither an event loop nor a Swift concurrency thread, so waiting blocks neither.
final class PostgreSQLLane: @unchecked Sendable {
    private let queue: DispatchQueue
    private let location: PostgresLocation
    private let logger: Logger
    private let id: Int
    /// Touched only on `queue`.
    private var connection: PostgresConnection?
    /// Set by `close()` (on `queue`): a closed store refuses work, as SQLite's does, instead of
    /// connecting again.
    private var closed = false

    init(location: PostgresLocation, id: Int, logger: Logger) {
        self.queue = DispatchQueue(label: "pvdify.postgres.\(id)")
        self.location = location
        self.id = id
        self.logger = logger
    }

    /// Runs `body` on the lane's queue with an open connection (reopened if the last one closed).
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgreSQLSession) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.session()) })
            }
        }
    }

    /// Runs `body` on the lane's queue later, without waiting for it; a failure is logged.
    func submit(_ body: @escaping @Sendable (PostgreSQLSession) throws -> Void) {
        queue.async {
            do { try body(self.session()) } catch { self.logger.warning("postgres: \(error)") }
        }
    }

    /// `run`, blocking the calling thread until it is done.
    func runBlocking<T>(_ body: (PostgreSQLSession) throws -> T) throws -> T {
        try queue.sync { try body(try session()) }
    }

    private func session() throws -> PostgreSQLSession {
        if closed { throw PostgreSQLStoreClosed() }
        if let connection, !connection.isClosed { return PostgreSQLSession(connection: connection, logger: logger) }
        let opened = try PostgresConnection.connect(
            on: PostgresConnection.defaultEventLoopGroup.next(), configuration: try Self.configuration(location), id: id, logger: logger
        ).wait()
        connection = opened
        return PostgreSQLSession(connection: opened, logger: logger)
    }

    /// How to reach `location` (TLS when it asks for it).
    static func configuration(_ location: PostgresLocation) throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: location.requiresTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// postgres-nio requires every connection to be closed before it is released.
    deinit {
        try? connection?.close().wait()
    }

    /// Closes the connection, after the transactions already queued.
    func close() {
        queue.sync {
            closed = true
            try? connection?.close().wait()
            connection = nil
        }
    }
}

/// Work asked of a PostgreSQL store after `close()`.
struct PostgreSQLStoreClosed: Error, CustomStringConvertible {
    var description: String { "the PostgreSQL store is closed" }
}
