import Foundation
import GRDB

/// Copies of the store: a consistent snapshot taken while pvdifyd runs, and its way back.
extension Store {
    /// The database file's name in a data directory and in a backup.
    public static let databaseFileName = "pvdify.sqlite"

    /// Writes a consistent copy of `<dataDirectory>/pvdify.sqlite` to `destination` (a new file,
    /// mode 0600). SQLite's `VACUUM INTO` reads one snapshot, so a daemon may go on writing.
    public static func backup(dataDirectory: URL, to destination: URL) throws {
        let source = dataDirectory.appendingPathComponent(databaseFileName)
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw StoreError.notFound("No database at \(source.path)")
        }
        guard !FileManager.default.fileExists(atPath: destination.path) else {
            throw StoreError.conflict("\(destination.path) already exists")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: source.path, configuration: configuration)
        // Made 0600 before SQLite writes into it, so no reader ever sees it open.
        try PrivateFile.write("", to: destination)
        do {
            try queue.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [destination.path]) }
            try queue.close()
            try finishBackupFile(destination)
        } catch {
            try? FileManager.default.removeItem(at: destination)
            throw error
        }
    }

    /// Writes a consistent copy of the store in `database` (PostgreSQL) to `destination`, a new
    /// SQLite file (mode 0600) like the one a SQLite backup holds, so one backup format serves
    /// both: every table `StoreCopy` copies, read in one snapshot while replicas go on writing.
    public static func backup(from database: any StoreDatabase, to destination: URL) async throws {
        guard !FileManager.default.fileExists(atPath: destination.path) else {
            throw StoreError.conflict("\(destination.path) already exists")
        }
        try PrivateFile.write("", to: destination)
        do {
            let copy = try SQLiteDatabase(path: destination.path)
            do {
                try await StoreCopy.copy(from: database, to: copy, instanceID: nil)
            } catch {
                try? copy.close()
                throw error
            }
            try copy.close()
            try finishBackupFile(destination)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: destination.path + suffix) }
            throw error
        }
    }

    /// Copies the backup's store into `database` (PostgreSQL), which must hold no store yet, and
    /// answers the rows copied by table. The backup itself is not touched: a private copy of it is
    /// opened (and brought to the current schema, were it older).
    @discardableResult
    public static func restore(from backup: URL, into database: any StoreDatabase) async throws -> [String: Int] {
        try check(backup)
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-restore-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: staging) }
        let copy = staging.appendingPathComponent(databaseFileName)
        try FileManager.default.copyItem(at: backup, to: copy)
        let source = try SQLiteDatabase(path: copy.path)
        defer { try? source.close() }
        return try await StoreCopy.copy(from: source, to: database, instanceID: nil)
    }

    /// Leaves a backup file as a plain rollback-journal database, readable as it is without -wal
    /// and -shm beside it, and checks it.
    private static func finishBackupFile(_ file: URL) throws {
        let copy = try DatabaseQueue(path: file.path)
        try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        try copy.close()
        try check(file)
    }

    /// Puts the database `backup` in place of `<dataDirectory>/pvdify.sqlite` (mode 0600). The
    /// caller makes sure no daemon uses the directory. The old -wal and -shm files go first: SQLite
    /// would otherwise replay the old journal over the restored database.
    public static func restore(from backup: URL, into dataDirectory: URL) throws {
        try check(backup)
        let target = dataDirectory.appendingPathComponent(databaseFileName)
        let staging = dataDirectory.appendingPathComponent(databaseFileName + ".restoring")
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.copyItem(at: backup, to: staging)
        guard chmod(staging.path, 0o600) == 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: staging.path]) }
        for suffix in ["-wal", "-shm"] {
            let file = target.path + suffix
            if FileManager.default.fileExists(atPath: file) { try FileManager.default.removeItem(atPath: file) }
        }
        guard rename(staging.path, target.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path])
        }
    }

    /// The number of apps in the database at `file`, after checking that it is an intact pvdify store.
    public static func appCount(inDatabase file: URL) throws -> Int {
        try check(file)
        let queue = try DatabaseQueue(path: file.path, configuration: readOnly)
        defer { try? queue.close() }
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM apps") ?? 0 }
    }

    /// Refuses a file that is not an intact SQLite database with pvdify's tables.
    static func check(_ file: URL) throws {
        guard FileManager.default.fileExists(atPath: file.path) else { throw StoreError.notFound("No database at \(file.path)") }
        let queue = try DatabaseQueue(path: file.path, configuration: readOnly)
        defer { try? queue.close() }
        let (integrity, hasApps) = try queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA integrity_check"), try db.tableExists("apps"))
        }
        guard integrity == "ok", hasApps else {
            throw StoreError.invalid(.init(field: "", message: "\(file.path) is not an intact pvdify database"))
        }
    }

    private static var readOnly: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }
}
