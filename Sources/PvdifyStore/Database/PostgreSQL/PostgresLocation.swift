import Foundation

/// Where a PostgreSQL store is: `postgres://USER:PASSWORD@HOST:PORT/DATABASE`, with
/// `?sslmode=require` (or `verify-full`) for TLS with the server's certificate verified. The
/// password is kept for connecting and left out of `description`, so logs never show it.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// Whether the connection uses TLS (`sslmode=require` or `verify-full`).
    public var requiresTLS = false

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String, requiresTLS: Bool = false) {
        self.requiresTLS = requiresTLS
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses a `postgres://` or `postgresql://` URL; user and database are required.
    public init(url: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw StoreError.invalid(.init(field: "database", message: "expected postgres://USER:PASSWORD@HOST:PORT/DATABASE"))
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError.invalid(.init(field: "database", message: "the database URL names no host"))
        }
        guard let username = components.user, !username.isEmpty else {
            throw StoreError.invalid(.init(field: "database", message: "the database URL names no user"))
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError.invalid(.init(field: "database", message: "the database URL names no database"))
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw StoreError.invalid(.init(field: "database", message: "the database URL's port is out of range"))
        }
        self.init(
            host: host, port: port, username: username, password: components.password,
            database: database.removingPercentEncoding ?? database)
        switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
        case nil, "disable": requiresTLS = false
        case "require", "verify-full": requiresTLS = true
        default:
            throw StoreError.invalid(.init(field: "database", message: "sslmode must be disable, require or verify-full"))
        }
    }

    /// The URL without its password.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)\(requiresTLS ? "?sslmode=require" : "")"
    }
}
