import Foundation

/// One value in a statement's arguments or a fetched row, the same for every backend.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// A Swift value that can be bound as a statement argument.
public protocol SQLValueConvertible: Sendable {
    /// The value as it is bound.
    var sqlValue: SQLValue { get }
}

/// A Swift value that can be read from a fetched column.
public protocol SQLValueDecodable {
    /// The value, or nil when the column holds NULL or a value of another kind.
    static func decode(_ value: SQLValue) -> Self?
}

extension String: SQLValueConvertible, SQLValueDecodable {
    public var sqlValue: SQLValue { .text(self) }
    public static func decode(_ value: SQLValue) -> String? {
        switch value {
        case .text(let text): text
        case .blob(let data): String(data: data, encoding: .utf8)
        default: nil
        }
    }
}

extension Int64: SQLValueConvertible, SQLValueDecodable {
    public var sqlValue: SQLValue { .integer(self) }
    public static func decode(_ value: SQLValue) -> Int64? {
        switch value {
        case .integer(let integer): integer
        case .real(let real) where real.rounded() == real: Int64(exactly: real)
        default: nil
        }
    }
}

extension Int: SQLValueConvertible, SQLValueDecodable {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public static func decode(_ value: SQLValue) -> Int? { Int64.decode(value).flatMap { Int(exactly: $0) } }
}

extension Double: SQLValueConvertible, SQLValueDecodable {
    public var sqlValue: SQLValue { .real(self) }
    public static func decode(_ value: SQLValue) -> Double? {
        switch value {
        case .real(let real): real
        case .integer(let integer): Double(integer)
        default: nil
        }
    }
}

/// Booleans are stored as integers 0 and 1 in both backends, so one schema serves both.
extension Bool: SQLValueConvertible, SQLValueDecodable {
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    public static func decode(_ value: SQLValue) -> Bool? { Int64.decode(value).map { $0 != 0 } }
}

extension Data: SQLValueConvertible, SQLValueDecodable {
    public var sqlValue: SQLValue { .blob(self) }
    public static func decode(_ value: SQLValue) -> Data? {
        switch value {
        case .blob(let data): data
        case .text(let text): Data(text.utf8)
        default: nil
        }
    }
}

extension Optional: SQLValueDecodable where Wrapped: SQLValueDecodable {
    public static func decode(_ value: SQLValue) -> Wrapped?? {
        if value == .null { return .some(nil) }
        return Wrapped.decode(value).map { .some($0) }
    }
}

extension SQLValueDecodable {
    /// Every row's first column (`String.fetchAll(db, sql: ...)`).
    static func fetchAll(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try db.fetchRows(sql: sql, arguments: arguments).map { $0[0] }
    }

    /// The first row's first column, or nil when there is no row or it holds NULL.
    static func fetchOne(_ db: any SQLSession, sql: String, arguments: SQLArguments = []) throws -> Self? {
        guard let row = try db.fetchRows(sql: sql, arguments: arguments).first else { return nil }
        return row[0] as Self?
    }
}
