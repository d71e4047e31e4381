import Foundation
import Logging
import PostgresNIO

/// A PostgreSQL connection inside one transaction, as an `SQLSession`. It runs on its lane's
/// dispatch queue and waits there for postgres-nio's futures (never on an event loop or a Swift
/// concurrency thread).
final class PostgreSQLSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger
    private(set) var changesCount = 0
    var dialect: SQLDialect { .postgres }

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    func execute(sql: String, arguments: SQLArguments) throws {
        let statement = PostgresStatementText(sql)
        if arguments.values.isEmpty, statement.isScript {
            // Several statements (a migration), one after the other.
            for text in statement.statements {
                _ = try connection.query(PostgresQuery(unsafeSQL: text), logger: logger).wait()
            }
            changesCount = 0
            return
        }
        let result = try connection.query(try Self.query(statement, arguments), logger: logger).wait()
        changesCount = result.metadata.rows ?? 0
    }

    func fetchRows(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        let result = try connection.query(try Self.query(PostgresStatementText(sql), arguments), logger: logger).wait()
        return try result.rows.map { row in
            var columns: [String] = []
            var values: [SQLValue] = []
            for cell in row {
                columns.append(cell.columnName)
                values.append(try Self.value(cell))
            }
            return SQLRow(columns: columns, values: values)
        }
    }

    static func query(_ statement: PostgresStatementText, _ arguments: SQLArguments) throws -> PostgresQuery {
        guard statement.placeholderCount == arguments.values.count else {
            throw StoreError.invalid(.init(
                field: "", message: "statement has \(statement.placeholderCount) placeholders and \(arguments.values.count) arguments"))
        }
        var binds = PostgresBindings(capacity: arguments.values.count)
        for value in arguments.values {
            switch value {
            case .null: binds.appendNull()
            case .integer(let integer): binds.append(integer)
            case .real(let real): binds.append(real)
            case .text(let text): binds.append(text)
            case .blob(let data): binds.append(ByteBuffer(bytes: data))
            }
        }
        return PostgresQuery(unsafeSQL: statement.numbered, binds: binds)
    }

    /// A cell as the neutral value: integers (booleans too) as integers, floating point as real,
    /// bytea as blob, everything else as text.
    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2: return .integer(Int64(try cell.decode(Int16.self)))
        case .int4: return .integer(Int64(try cell.decode(Int32.self)))
        case .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .numeric:
            let text = try cell.decode(String.self)
            if let integer = Int64(text) { return .integer(integer) }
            return .real(Double(text) ?? 0)
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea: return .blob(try cell.decode(Data.self))
        default: return .text(try cell.decode(String.self))
        }
    }
}

/// The store's SQL with `?` placeholders, numbered for PostgreSQL (`$1`, `$2`, ...), and split
/// into its statements (postgres-nio sends each query as one prepared statement). Question marks
/// and semicolons inside quoted literals or identifiers are left alone.
struct PostgresStatementText {
    let numbered: String
    let placeholderCount: Int
    /// The statements, without their semicolons (one for most of the store's SQL).
    let statements: [String]
    /// True when the text holds more than one statement.
    var isScript: Bool { statements.count > 1 }

    init(_ sql: String) {
        var numbered = ""
        numbered.reserveCapacity(sql.utf8.count + 8)
        var statements: [String] = []
        var current = ""
        var count = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                numbered.append(character)
                current.append(character)
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                numbered.append(character)
                current.append(character)
            case "?":
                count += 1
                numbered += "$\(count)"
                current += "$\(count)"
            case ";":
                numbered.append(character)
                statements.append(current)
                current = ""
            default:
                numbered.append(character)
                current.append(character)
            }
        }
        statements.append(current)
        self.numbered = numbered
        self.placeholderCount = count
        self.statements = statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
