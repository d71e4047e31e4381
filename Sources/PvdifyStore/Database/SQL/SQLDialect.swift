/// The SQL a backend speaks, where SQLite and PostgreSQL differ. Everything else the store writes
/// is portable SQL (`ON CONFLICT ... DO NOTHING`, `COALESCE`, `RETURNING`).
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// The text at `path` (JSON keys from the root) inside the JSON text column `column`, or NULL.
    /// The keys are the store's own constants, never user input.
    func jsonText(_ column: String, _ path: String...) -> String {
        switch self {
        case .sqlite: "json_extract(\(column), '$.\(path.joined(separator: "."))')"
        case .postgres: "(\(column)::jsonb #>> '{\(path.joined(separator: ","))}')"
        }
    }

    /// The values of `expression` over a group, joined by commas.
    func commaList(_ expression: String) -> String {
        switch self {
        case .sqlite: "group_concat(\(expression), ',')"
        case .postgres: "string_agg(\(expression), ',')"
        }
    }
}
