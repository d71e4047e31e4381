/// Where the store keeps its rows: transactions over `SQLSession`s. SQLite (the default) and
/// PostgreSQL implement it; the store's SQL and logic exist once, above it.
public protocol StoreDatabase: Sendable {
    /// Which SQL the sessions speak.
    var dialect: SQLDialect { get }
    /// Runs `body` in a read transaction (one consistent snapshot).
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T
    /// Runs `body` in a write transaction, committed when it returns and rolled back when it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T
    /// Runs `body` in a write transaction that is always rolled back (dry runs).
    func writeAndRollback<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T
    /// `write`, blocking the calling thread (only for closing, outside Swift concurrency's pool).
    func writeBlocking<T>(_ body: (any SQLSession) throws -> T) throws -> T
    /// Closes every connection.
    func close() throws
    /// Whether other processes may share the database (and so its change feed).
    var isShared: Bool { get }
    /// Sends `payload` to the other processes on the database, after the writes before it.
    func broadcast(_ payload: String)
    /// Calls `receive` with every payload another process broadcasts, until the database closes.
    func listen(_ receive: @escaping @Sendable (String) -> Void)
}

/// One process alone on its database (SQLite): nothing to send or receive.
extension StoreDatabase {
    public var isShared: Bool { false }
    public func broadcast(_ payload: String) {}
    public func listen(_ receive: @escaping @Sendable (String) -> Void) {}
}
