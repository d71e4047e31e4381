import Foundation
import GRDB
import PvdifyModel

/// What applying one document of a batch did, with the App document before and after.
public struct ManifestApplyOutcome: Sendable {
    public var result: ManifestApplyResult
    /// The stored manifest before the apply; nil when the app is new.
    public var before: AppManifest?
    /// The stored manifest after the apply (an omitted image keeps the current one).
    public var after: AppManifest
}

/// A batch apply refused at one document; nothing of the batch was changed.
public struct ManifestBatchError: Error, Sendable {
    /// Index of the document in the batch.
    public let index: Int
    public let error: StoreError

    public init(index: Int, error: StoreError) {
        self.index = index
        self.error = error
    }
}

extension Store {
    /// Applies many App documents in one transaction (creating missing apps): all of them, or,
    /// when one is refused, none. With `dryRun` the transaction is rolled back, so the outcomes
    /// say exactly what an apply would do without changing anything. Source documents in the same
    /// batch are created or replaced in that transaction; their actions come back in order.
    public func applyManifests(
        _ manifests: [AppManifest], sources: [SourceManifest] = [], by actor: String, dryRun: Bool
    ) async throws -> (apps: [ManifestApplyOutcome], sources: [String]) {
        let box = secrets
        let body: @Sendable (Database) throws -> ([ManifestApplyOutcome], [String]) = { db in
            let sourceActions = try sources.map { try Self.applySource(db, $0) }
            return (try Self.applyBatch(db, box: box, manifests: manifests, actor: actor, managedBy: nil), sourceActions)
        }
        if dryRun {
            return try await pool.writeWithoutTransaction { db in
                var result: ([ManifestApplyOutcome], [String]) = ([], [])
                try db.inTransaction {
                    result = try body(db)
                    return .rollback
                }
                return result
            }
        }
        let result = try await write { db in
            let result = try body(db)
            return (result, result.0.filter(\.result.changed).map(\.after.name))
        }
        sourceChanges.publish(zip(sources, result.1).filter { $0.1 != "unchanged" }.map(\.0.name))
        return result
    }

    /// Applies the documents in order. An app managed by a source other than `managedBy` (and not
    /// suspended) is refused: its spec lives in git.
    static func applyBatch(
        _ db: Database, box: SecretBox, manifests: [AppManifest], actor: String, managedBy: String?
    ) throws -> [ManifestApplyOutcome] {
        try manifests.enumerated().map { index, manifest in
            do {
                if let source = try managingSource(db, manifest.name), source != managedBy {
                    throw managedConflict(manifest.name, source: source)
                }
                let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM apps WHERE name = ?", arguments: [manifest.name]) == true
                let before = exists ? try storedManifest(db, manifest.name) : nil
                let result = try applyManifest(db, box: box, manifest: manifest, actor: actor, create: true)
                return ManifestApplyOutcome(result: result, before: before, after: try storedManifest(db, manifest.name))
            } catch let error as StoreError {
                throw ManifestBatchError(index: index, error: error)
            }
        }
    }

    /// The App document of an app as stored (spec, domains, plain config, secret names).
    static func storedManifest(_ db: Database, _ app: String) throws -> AppManifest {
        let view = try view(db, app)
        let config = try currentConfigVersion(db, app: app)
        return AppManifest(
            name: app, spec: view.app.spec, domains: view.domains, config: config?.vars ?? [:],
            secrets: config?.secretNames ?? [])
    }
}
