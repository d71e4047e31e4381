import Foundation
import Logging
import PvdifyModel
import Synchronization

/// The desired-state store, in SQLite (one file, the default) or PostgreSQL (`StoreDatabase`).
/// Every write announces what it changed (app and kind) on `changes`, after the transaction
/// commits: desired state by the ways in, status by the reconcilers.
public final class Store: Sendable {
    /// Where the rows are: SQLite by default, or PostgreSQL.
    let database: any StoreDatabase
    let secrets: SecretBox
    /// What changed, app by app and kind by kind, for the reconcilers.
    public let changes = ChangeFeed()
    /// Names of sources whose spec changed or that were asked to sync, for the source reconciler
    /// (changes of kind `source`, apart from the apps' feed).
    public let sourceChanges = ChangeFeed()
    /// Authenticated tokens by secret hash, so a request costs no token query; emptied on revocation.
    let tokenCache = Mutex(TokenCache())
    /// Audit entries not yet written; flushed in batches, and at `close()`.
    let auditBuffer = AuditBuffer()
    let viewCache = AppViewCache()
    /// Status reports written (`statusWriteCount`).
    let statusWrites = Atomic<Int>(0)
    /// The leader lease's fencing token status writes carry (`fence(with:)`); 0: none, as on one server.
    let fencingToken = Atomic<Int64>(0)

    /// Opens (creating and migrating) `<dataDirectory>/pvdify.sqlite`.
    public convenience init(dataDirectory: URL, secrets: SecretBox) throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = dataDirectory.appendingPathComponent("pvdify.sqlite").path
        self.init(database: try SQLiteDatabase(path: path), secrets: secrets)
        try Self.makePrivate(directory: dataDirectory, database: path)
    }

    /// A store on an opened (and migrated) database.
    public init(database: any StoreDatabase, secrets: SecretBox) {
        self.database = database
        self.secrets = secrets
        if database.isShared { shareChanges() }
    }

    /// Several pvdifyd on one database: what one publishes reaches the others' feeds (and empties
    /// their view caches), so a write through any replica wakes the leader's reconcilers.
    private func shareChanges() {
        let origin = Self.randomHex(bytes: 8)
        let (database, changes, sourceChanges, viewCache) = (database, changes, sourceChanges, viewCache)
        changes.relay { list in ChangeMessage.messages(origin: origin, feed: "apps", list).forEach(database.broadcast) }
        sourceChanges.relay { list in ChangeMessage.messages(origin: origin, feed: "sources", list).forEach(database.broadcast) }
        database.listen { payload in
            guard let message = try? Columns.decode(ChangeMessage.self, payload), message.origin != origin else { return }
            let received = message.decoded
            if message.feed == "sources" {
                sourceChanges.receive(received)
            } else {
                viewCache.invalidate(received.map(\.app))
                changes.receive(received)
            }
        }
    }

    /// The database holds token hashes and sealed secrets: the directory is 0700 and the database
    /// files 0600 even when they were made with a looser umask. SQLite gives the -wal and -shm
    /// files it creates later the database file's mode.
    static func makePrivate(directory: URL, database path: String) throws {
        guard chmod(directory.path, 0o700) == 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: directory.path]) }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            guard chmod(file, 0o600) == 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: file]) }
        }
    }

    /// Runs a write transaction and then announces the changes it names.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> (T, changed: [Change])) async throws -> T {
        let (value, changed) = try await database.write(body)
        viewCache.invalidate(changed.map(\.app))
        changes.publish(changed)
        return value
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLSession) throws -> T) async throws -> T {
        try await database.read(body)
    }

    /// Closes the database after the last write.
    public func close() throws {
        try flushAuditNow()
        changes.finish()
        sourceChanges.finish()
        try database.close()
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

    static func date(_ row: SQLRow, _ column: String) -> Date {
        Date(timeIntervalSince1970: row[column] as Double)
    }

    static func optionalDate(_ row: SQLRow, _ column: String) -> Date? {
        (row[column] as Double?).map(Date.init(timeIntervalSince1970:))
    }
}

extension Date {
    /// Whole seconds, since the API shows times at second precision.
    static var nowInSeconds: Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }
}
