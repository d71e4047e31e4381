import ArgumentParser
import Foundation
import PvdifyStore

/// `pvdifyd backup DIR`: a consistent copy of the store, taken while the daemon runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the store into a new backup directory, while pvdifyd runs or not.",
        discussion: """
            The backup is a directory (mode 0700) holding pvdify.sqlite (mode 0600): one consistent \
            snapshot of apps, releases, config, sealed secrets, the sealing key pair and token hashes. \
            Secret values and the sealing key's private half stay encrypted with the secret key, which is not in the backup unless --include-secret-key is \
            given (then as secret.key, mode 0600). Keep the key and the backup apart. \
            With --database (or PVDIFY_DATABASE_URL) the store is read from PostgreSQL, while the \
            replicas run; the backup has the same form, and restores into PostgreSQL or a data directory.
            """)

    @Argument(help: "The backup directory to create; it must not exist.") var backup: String
    @Option(help: "State directory (PVDIFY_DATA_DIR), as for the daemon.") var dataDir: String?
    @Option(help: "Where the store is, as for the daemon: sqlite or postgres://... (else PVDIFY_DATABASE_URL). Default sqlite.")
    var database: String?
    @Flag(help: "Also store the secret key (PVDIFY_SECRET_KEY, else <data-dir>/secret.key) in the backup.")
    var includeSecretKey = false

    func run() async throws {
        DataDirectory.restrictNewFiles()
        let environment = ProcessInfo.processInfo.environment
        let dataDirectory = DaemonConfiguration.dataDirectory(flag: dataDir, environment: environment)
        let postgres = try BackupLayout.postgres(flag: database, environment: environment)
        let target = URL(fileURLWithPath: backup)
        guard !FileManager.default.fileExists(atPath: target.path) else {
            throw ValidationError("\(target.path) already exists; choose a new backup directory")
        }
        // Read the key first: a backup that cannot hold the key it was asked for is not made at all.
        let key = try includeSecretKey ? BackupLayout.secretKey(dataDirectory: dataDirectory, environment: environment) : nil
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        do {
            if let postgres {
                let source = try await PostgreSQLDatabase(location: postgres)
                defer { try? source.close() }
                try await Store.backup(from: source, to: BackupLayout.database(in: target))
            } else {
                try Store.backup(dataDirectory: dataDirectory, to: BackupLayout.database(in: target))
            }
            if let key { try PrivateFile.write(key + "\n", to: BackupLayout.secretKey(in: target)) }
        } catch {
            try? FileManager.default.removeItem(at: target)
            throw error
        }
        let apps = try Store.appCount(inDatabase: BackupLayout.database(in: target))
        print("pvdifyd: backed up \(apps) apps from \(postgres.map { "\($0)" } ?? dataDirectory.path) to \(target.path)"
            + (key == nil ? " (without the secret key)" : " (with the secret key)"))
    }
}

/// What a backup directory holds.
enum BackupLayout {
    static func database(in backup: URL) -> URL { backup.appendingPathComponent(Store.databaseFileName) }
    static func secretKey(in backup: URL) -> URL { backup.appendingPathComponent("secret.key") }

    /// The PostgreSQL store `--database` or `PVDIFY_DATABASE_URL` names, nil for SQLite.
    static func postgres(flag: String?, environment: [String: String]) throws -> PostgresLocation? {
        do {
            return try DaemonConfiguration.postgresLocation(flag ?? environment["PVDIFY_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 })
        } catch let error as DaemonConfiguration.Invalid {
            throw ValidationError(error.description)
        }
    }

    /// The key secrets are sealed with: `PVDIFY_SECRET_KEY`, else `<data-dir>/secret.key`.
    static func secretKey(dataDirectory: URL, environment: [String: String]) throws -> String {
        if let key = environment["PVDIFY_SECRET_KEY"], !key.isEmpty {
            _ = try SecretBox.load(dataDirectory: dataDirectory, environmentKey: key)  // validates it
            return key.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let file = dataDirectory.appendingPathComponent("secret.key")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw ValidationError("no secret key: neither PVDIFY_SECRET_KEY nor \(file.path) is set")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
