/// One fetched row with its columns by name, the same for every backend.
public struct SQLRow: Sendable {
    /// The column names, in select order.
    public let columns: [String]
    /// The values, in select order.
    public let values: [SQLValue]
    private let indexes: [String: Int]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
        var indexes: [String: Int] = [:]
        // The first of two equally named columns wins, as in SQLite.
        for (index, name) in columns.enumerated() where indexes[name] == nil { indexes[name] = index }
        self.indexes = indexes
    }

    /// The column named `column`, as `T`. A missing column or a value of the wrong kind is a
    /// programming error in the store's SQL, so it stops here rather than going on with a guess.
    public subscript<T: SQLValueDecodable>(_ column: String) -> T {
        guard let index = indexes[column] else { preconditionFailure("no column '\(column)' in the row") }
        return self[index]
    }

    /// The column at `index` (0 is the first), as `T`.
    public subscript<T: SQLValueDecodable>(_ index: Int) -> T {
        guard let value = T.decode(values[index]) else {
            preconditionFailure("column '\(columns[index])' holds \(values[index]), not \(T.self)")
        }
        return value
    }

    /// Every row (`SQLRow.fetchAll(db, sql: ...)`).
    static func fetchAll(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> [SQLRow] {
        try db.fetchRows(sql: sql, arguments: arguments)
    }

    /// The first row, if any.
    static func fetchOne(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try db.fetchRows(sql: sql, arguments: arguments).first
    }
}
