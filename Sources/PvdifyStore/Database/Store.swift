import Foundation
import GRDB
import Logging
import PvdifyModel
import Synchronization

/// The desired-state store: one SQLite file (WAL, `synchronous=FULL`, so a write is on disk before
/// its caller answers). Every write that changes an app's desired state announces the app on
/// `changes`, after the transaction commits.
public final class Store: Sendable {
    let pool: DatabasePool
    let secrets: SecretBox
    /// Names of apps whose desired state changed, for the reconcilers.
    public let changes = ChangeFeed()
    /// Names of apps whose observed status changed (the route reconciler follows upstreams).
    public let statusChanges = ChangeFeed()
    /// Names of sources whose spec changed or that were asked to sync, for the source reconciler.
    public let sourceChanges = ChangeFeed()
    /// Authenticated tokens by secret hash, so a request costs no token query; emptied on revocation.
    let tokenCache = Mutex(TokenCache())
    /// Audit entries not yet written; flushed in batches, and at `close()`.
    let auditBuffer = AuditBuffer()
    let viewCache = AppViewCache()

    /// Opens (creating and migrating) `<dataDirectory>/pvdify.sqlite`.
    public init(dataDirectory: URL, secrets: SecretBox) throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let path = dataDirectory.appendingPathComponent("pvdify.sqlite").path
        pool = try DatabasePool(path: path, configuration: configuration)
        self.secrets = secrets
        try Schema.migrator.migrate(pool)
    }

    /// Runs a write transaction and then announces the apps it names as changed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> (T, changed: [String])) async throws -> T {
        let (value, changed) = try await pool.write(body)
        viewCache.invalidate(changed)
        changes.publish(changed)
        return value
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    /// Closes the database after the last write.
    public func close() throws {
        try flushAuditNow()
        changes.finish()
        statusChanges.finish()
        sourceChanges.finish()
        try pool.close()
    }
}

/// Why a store operation refused: the API turns these into 404, 409 and 422.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    case conflict(String)
    case invalid(ValidationError)

    public var description: String {
        switch self {
        case .notFound(let message), .conflict(let message): message
        case .invalid(let error): error.description
        }
    }
}

/// JSON columns: compact, deterministic.
enum Columns {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    static func date(_ row: Row, _ column: String) -> Date {
        Date(timeIntervalSince1970: row[column] as Double)
    }

    static func optionalDate(_ row: Row, _ column: String) -> Date? {
        (row[column] as Double?).map(Date.init(timeIntervalSince1970:))
    }
}

extension Date {
    /// Whole seconds, since the API shows times at second precision.
    static var nowInSeconds: Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }
}
