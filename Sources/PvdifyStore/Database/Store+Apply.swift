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
    /// say exactly what an apply would do without changing anything.
    public func applyManifests(_ manifests: [AppManifest], by actor: String, dryRun: Bool) async throws -> [ManifestApplyOutcome] {
        let box = secrets
        if dryRun {
            return try await pool.writeWithoutTransaction { db in
                var outcomes: [ManifestApplyOutcome] = []
                try db.inTransaction {
                    outcomes = try Self.applyBatch(db, box: box, manifests: manifests, actor: actor)
                    return .rollback
                }
                return outcomes
            }
        }
        return try await write { db in
            let outcomes = try Self.applyBatch(db, box: box, manifests: manifests, actor: actor)
            return (outcomes, outcomes.flatMap(\.result.changes))
        }
    }

    static func applyBatch(_ db: Database, box: SecretBox, manifests: [AppManifest], actor: String) throws -> [ManifestApplyOutcome] {
        try manifests.enumerated().map { index, manifest in
            do {
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
