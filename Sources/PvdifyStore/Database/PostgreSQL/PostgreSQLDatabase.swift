import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL backend: one writer connection and a few reader connections, each on a lane
/// of its own. Writers are serialized across every pvdifyd on the database by a transaction-level
/// advisory lock, which keeps SQLite's one-writer semantics the store's logic relies on.
public final class PostgreSQLDatabase: StoreDatabase {
    /// The advisory lock key every write transaction takes ("pvdify" in ASCII).
    static let writerLock: Int64 = 0x7076_6469_6679
    /// The server and database (its `description` leaves the password out).
    public let location: PostgresLocation
    private let writer: PostgreSQLLane
    private let readers: [PostgreSQLLane]
    private let nextReader = Atomic<Int>(0)
    /// Sends change messages, apart from the writer so writes never wait for them.
    private let notifier: PostgreSQLLane
    private let logger: Logger
    /// The connections that listen for other replicas' change messages, while they run.
    private let listeners = Mutex<[Task<Void, Never>]>([])
    /// The channel change messages go on.
    static let changeChannel = "pvdify_changes"
    public var dialect: SQLDialect { .postgres }

    /// Connects to `location` and brings its schema up to date.
    public init(location: PostgresLocation, readers readerCount: Int = 4, logger: Logger = Logger(label: "pvdify.postgres")) async throws {
        self.location = location
        self.logger = logger
        writer = PostgreSQLLane(location: location, id: 0, logger: logger)
        notifier = PostgreSQLLane(location: location, id: -1, logger: logger)
        readers = (1...max(1, readerCount)).map { PostgreSQLLane(location: location, id: $0, logger: logger) }
        do {
            try await migrate()
        } catch {
            try? close()
            throw error
        }
    }

    /// Runs the migrations not yet recorded in `schema_migrations`, all in one transaction (under
    /// the writer lock, so replicas starting together migrate once).
    private func migrate() async throws {
        try await write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY NOT NULL)")
            let applied = Set(try String.fetchAll(db, sql: "SELECT name FROM schema_migrations"))
            for migration in Schema.migrator.migrations where !applied.contains(migration.name) {
                try migration.migrate(db)
                try db.execute(sql: "INSERT INTO schema_migrations (name) VALUES (?)", arguments: [migration.name])
            }
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        let lane = readers[nextReader.wrappingAdd(1, ordering: .relaxed).oldValue % readers.count]
        return try await lane.run { session in
            try Self.transaction(session, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", writing: false, commit: true, body)
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await writer.run { session in try Self.transaction(session, begin: "BEGIN", writing: true, commit: true, body) }
    }

    public func writeAndRollback<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await writer.run { session in try Self.transaction(session, begin: "BEGIN", writing: true, commit: false, body) }
    }

    public func writeBlocking<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try writer.runBlocking { session in try Self.transaction(session, begin: "BEGIN", writing: true, commit: true, body) }
    }

    public var isShared: Bool { true }

    public func broadcast(_ payload: String) {
        notifier.submit { session in
            _ = try session.fetchRows(sql: "SELECT pg_notify(?, ?)", arguments: [Self.changeChannel, payload])
        }
    }

    /// Listens on a connection of its own, and listens again (after a pause) when it drops.
    public func listen(_ receive: @escaping @Sendable (String) -> Void) {
        let (location, logger) = (location, logger)
        let task = Task {
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(
                        configuration: try PostgreSQLLane.configuration(location), id: -2, logger: logger)
                    do {
                        for try await notification in try await connection.listen(Self.changeChannel) {
                            receive(notification.payload)
                        }
                    } catch {
                        if !Task.isCancelled { logger.warning("postgres: change messages interrupted: \(error)") }
                    }
                    try? await connection.close()
                } catch {
                    logger.warning("postgres: cannot listen for change messages: \(error)")
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        listeners.withLock { $0.append(task) }
    }

    public func close() throws {
        listeners.withLock { tasks in
            tasks.forEach { $0.cancel() }
            tasks.removeAll()
        }
        notifier.close()
        writer.close()
        readers.forEach { $0.close() }
    }

    /// Runs `body` between `begin` and COMMIT (or ROLLBACK when it throws or `commit` is false).
    /// A writing transaction first takes the writer lock.
    static func transaction<T>(
        _ session: PostgreSQLSession, begin: String, writing: Bool, commit: Bool, _ body: (any SQLSession) throws -> T
    ) throws -> T {
        try session.execute(sql: begin)
        do {
            if writing {
                _ = try session.fetchRows(sql: "SELECT pg_advisory_xact_lock(?)", arguments: [writerLock])
            }
            let value = try body(session)
            try session.execute(sql: commit ? "COMMIT" : "ROLLBACK")
            return value
        } catch {
            try? session.execute(sql: "ROLLBACK")
            throw error
        }
    }
}
