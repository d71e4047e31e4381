/// A connection inside one transaction: what the store's SQL runs on, whichever the backend.
/// Statements use `?` placeholders; a backend with another style translates them.
public protocol SQLSession {
    /// Which SQL this session speaks, for the few statements that differ.
    var dialect: SQLDialect { get }
    /// Runs a statement (or, without arguments, several separated by semicolons).
    func execute(sql: String, arguments: SQLArguments) throws
    /// Runs a query and returns its rows.
    func fetchRows(sql: String, arguments: SQLArguments) throws -> [SQLRow]
    /// Rows inserted, updated or deleted by the last `execute`.
    var changesCount: Int { get }
}

extension SQLSession {
    /// Runs a statement without arguments.
    func execute(sql: String) throws {
        try execute(sql: sql, arguments: [])
    }

    /// Runs schema SQL written with SQLite's column types, translated to this session's dialect.
    func executeSchema(_ sqlite: String) throws {
        try execute(sql: dialect.schema(sqlite))
    }
}
