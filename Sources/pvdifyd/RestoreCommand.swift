import ArgumentParser
import Foundation
import PvdifyStore

/// `pvdifyd restore DIR`: puts a backup back into a data directory no pvdifyd is using.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by 'pvdifyd backup' into the data directory (pvdifyd must be stopped).",
        discussion: """
            Refuses while a pvdifyd holds the data directory, and refuses to replace an existing \
            store unless --force is given. A secret key in the backup replaces <data-dir>/secret.key; \
            without one, start pvdifyd with the key the backup's secrets were sealed with. \
            With --database (or PVDIFY_DATABASE_URL) the backup goes into that PostgreSQL database, \
            which must hold no store yet (--force does not apply); start the replicas with \
            PVDIFY_SECRET_KEY set to the key the backup's secrets were sealed with.
            """)

    @Argument(help: "The backup directory.") var backup: String
    @Option(help: "State directory (PVDIFY_DATA_DIR), as for the daemon.") var dataDir: String?
    @Option(help: "Where the store is, as for the daemon: sqlite or postgres://... (else PVDIFY_DATABASE_URL). Default sqlite.")
    var database: String?
    @Flag(help: "Replace the store the data directory already holds.") var force = false

    func run() async throws {
        DataDirectory.restrictNewFiles()
        let environment = ProcessInfo.processInfo.environment
        let dataDirectory = DaemonConfiguration.dataDirectory(flag: dataDir, environment: environment)
        let source = URL(fileURLWithPath: backup)
        let database = BackupLayout.database(in: source)
        guard FileManager.default.fileExists(atPath: database.path) else {
            throw ValidationError("\(source.path) is not a pvdifyd backup: it has no \(Store.databaseFileName)")
        }
        if let postgres = try BackupLayout.postgres(flag: self.database, environment: environment) {
            guard !force else { throw ValidationError("--force does not apply to PostgreSQL: restore into an empty database") }
            let target = try await PostgreSQLDatabase(location: postgres)
            defer { try? target.close() }
            let counts = try await Store.restore(from: database, into: target)
            let key = FileManager.default.fileExists(atPath: BackupLayout.secretKey(in: source).path)
                ? "set PVDIFY_SECRET_KEY to the content of \(BackupLayout.secretKey(in: source).path)"
                : "set PVDIFY_SECRET_KEY to the key the backup's secrets were sealed with"
            print("pvdifyd: restored \(counts["apps"] ?? 0) apps from \(source.path) into \(postgres); \(key)")
            return
        }
        try DataDirectory.secure(dataDirectory)
        let lock: Int32
        do {
            lock = try DataDirectory.lock(dataDirectory)
        } catch let error as DataDirectory.Unavailable {
            throw ValidationError("cannot restore: \(error.description)")
        }
        defer { close(lock) }
        let current = dataDirectory.appendingPathComponent(Store.databaseFileName)
        guard force || !FileManager.default.fileExists(atPath: current.path) else {
            throw ValidationError("\(dataDirectory.path) already holds a store; pass --force to replace it")
        }
        let apps = try Store.appCount(inDatabase: database)
        try Store.restore(from: database, into: dataDirectory)
        let backupKey = BackupLayout.secretKey(in: source)
        var keyNote = "secrets need the key they were sealed with (PVDIFY_SECRET_KEY or \(dataDirectory.path)/secret.key)"
        if let key = try? String(contentsOf: backupKey, encoding: .utf8) {
            try PrivateFile.write(key.trimmingCharacters(in: .whitespacesAndNewlines) + "\n", to: dataDirectory.appendingPathComponent("secret.key"))
            keyNote = "the secret key was restored too"
        }
        print("pvdifyd: restored \(apps) apps from \(source.path) into \(dataDirectory.path); \(keyNote)")
    }
}
