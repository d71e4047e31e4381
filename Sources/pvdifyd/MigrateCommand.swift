import ArgumentParser
import Foundation
import PvdifyStore

/// `pvdifyd migrate --from sqlite:PATH --to postgres://...`: moves an installation's store from
/// SQLite into an empty PostgreSQL database.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the store from SQLite into an empty PostgreSQL database.",
        discussion: """
            Every row is copied in one transaction from one consistent snapshot, so the source may \
            belong to a running pvdifyd (stop it before starting pvdifyd on PostgreSQL, or writes made \
            in between stay behind). Secrets and the sealing key stay encrypted with the same secret \
            key: start pvdifyd on PostgreSQL with PVDIFY_SECRET_KEY set to the content of \
            <data-dir>/secret.key. The data directory's instance id becomes the installation's, so \
            the new pvdifyd adopts the running containers. A target that already holds a store is refused.
            """)

    @Option(help: "The SQLite store: sqlite:PATH, PATH being <data-dir>/pvdify.sqlite.") var from: String
    @Option(help: "The PostgreSQL database: postgres://USER:PASSWORD@HOST:PORT/DATABASE (else PVDIFY_DATABASE_URL, which keeps the password out of the process list).")
    var to: String?

    func run() async throws {
        guard from.hasPrefix("sqlite:"), from.count > "sqlite:".count else {
            throw ValidationError("--from must be sqlite:PATH")
        }
        let path = URL(fileURLWithPath: String(from.dropFirst("sqlite:".count))).standardizedFileURL
        guard FileManager.default.fileExists(atPath: path.path) else { throw ValidationError("no SQLite store at \(path.path)") }
        guard let text = to ?? ProcessInfo.processInfo.environment["PVDIFY_DATABASE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ValidationError("--to (or PVDIFY_DATABASE_URL) must name the PostgreSQL database")
        }
        let location: PostgresLocation
        do { location = try PostgresLocation(url: text) } catch let error as StoreError {
            throw ValidationError("--to must be postgres://USER:PASSWORD@HOST:PORT/DATABASE: \(error)")
        }
        let source = try SQLiteDatabase(path: path.path)
        defer { try? source.close() }
        let target = try await PostgreSQLDatabase(location: location)
        defer { try? target.close() }
        let counts = try await StoreCopy.copy(from: source, to: target, instanceID: Self.instanceID(beside: path))
        let summary = ["apps", "releases", "config_versions", "tokens", "audit_log"].map { "\(counts[$0] ?? 0) \($0)" }
        print("pvdifyd: copied \(summary.joined(separator: ", ")) from \(path.path) to \(location)")
    }

    /// The data directory's instance id (the containers' label), if it has one.
    static func instanceID(beside database: URL) -> String? {
        let file = database.deletingLastPathComponent().appendingPathComponent("instance-id")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return !id.isEmpty && id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) ? id : nil
    }
}
