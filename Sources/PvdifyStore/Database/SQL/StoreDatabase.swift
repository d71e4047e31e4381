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
}
