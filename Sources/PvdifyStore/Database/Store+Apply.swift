import Foundation
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
    ///
    /// The write transaction is kept short, because every other write waits for it: the stored
    /// documents are read first from a snapshot (readers do not block writers), documents
    /// identical to what is stored are decided there, and inside the transaction such a document
    /// costs one query confirming that its app has not changed since.
    public func applyManifests(
        _ manifests: [AppManifest], sources: [SourceManifest] = [], by actor: String, dryRun: Bool
    ) async throws -> (apps: [ManifestApplyOutcome], sources: [String]) {
        let box = secrets
        let snapshot = try await read { db in try manifests.map { try Self.snapshot(db, $0, box: box) } }
        let body: @Sendable (any SQLSession) throws -> ([ManifestApplyOutcome], [String]) = { db in
            let sourceActions = try sources.map { try Self.applySource(db, $0) }
            return (try Self.applyBatch(db, box: box, manifests: manifests, snapshot: snapshot, actor: actor, managedBy: nil), sourceActions)
        }
        if dryRun {
            return try await database.writeAndRollback { db in try body(db) }
        }
        let result = try await write { db in
            let result = try body(db)
            return (result, result.0.flatMap(\.result.changes))
        }
        sourceChanges.publish(zip(sources, result.1).filter { $0.1 != "unchanged" }.map { Change($0.0.name, .source) })
        return result
    }

    /// One app as a snapshot saw it: its stored document and the stamp that tells whether it changed since.
    struct AppSnapshot: Sendable {
        let before: AppManifest?
        let stamp: String?
        /// True when applying the document would change nothing (decided outside the write).
        let unchanged: Bool
    }

    static func snapshot(_ db: any SQLSession, _ manifest: AppManifest, box: SecretBox) throws -> AppSnapshot {
        guard let stamp = try stamp(db, manifest.name) else { return AppSnapshot(before: nil, stamp: nil, unchanged: false) }
        let before = try storedManifest(db, manifest.name)
        var unchanged = isUnchanged(manifest, stored: before)
        if unchanged, !manifest.sealedSecrets.isEmpty, let current = try currentConfigVersion(db, app: manifest.name) {
            // Sealing is randomised: the same value sealed again is another ciphertext, so values are compared.
            let stored = try openSecrets(db, box: box, app: manifest.name, version: current.version)
            unchanged = try sealedSecretValues(manifest).allSatisfy { stored[$0.key] == $0.value }
        } else if !manifest.sealedSecrets.isEmpty {
            unchanged = false
        }
        return AppSnapshot(before: before, stamp: stamp, unchanged: unchanged)
    }

    /// What any change to an app's spec, config or domains moves: generation, config version, domains.
    static func stamp(_ db: any SQLSession, _ app: String) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT CAST(generation AS TEXT) || '/' || COALESCE(CAST(config_version AS TEXT), '') || '/' ||
                   COALESCE((SELECT \(db.dialect.commaList("name")) FROM domains WHERE app = apps.name), '')
            FROM apps WHERE name = ?
            """, arguments: [app])
    }

    /// Whether applying `manifest` over the stored document would change nothing, by the rules of
    /// `applyManifest`: an omitted image keeps the current one, secrets are never removed.
    static func isUnchanged(_ manifest: AppManifest, stored: AppManifest) -> Bool {
        var spec = manifest.spec
        spec.restarts = stored.spec.restarts
        if spec.image == nil { spec.image = stored.spec.image }
        let storedSecrets = Set(stored.secrets)
        return spec == stored.spec && Set(manifest.domains) == Set(stored.domains) && manifest.config == stored.config
            && manifest.secrets.allSatisfy(storedSecrets.contains)
    }

    /// Applies the documents in order. An app managed by a source other than `managedBy` (and not
    /// suspended) is refused: its spec lives in git. With a `snapshot` (read before the write), a
    /// document found unchanged there costs one query.
    static func applyBatch(
        _ db: any SQLSession, box: SecretBox, manifests: [AppManifest], snapshot: [AppSnapshot]? = nil, actor: String,
        managedBy: String?
    ) throws -> [ManifestApplyOutcome] {
        try manifests.enumerated().map { index, manifest in
            do {
                if let source = try managingSource(db, manifest.name), source != managedBy {
                    throw managedConflict(manifest.name, source: source)
                }
                let stamp = try stamp(db, manifest.name)
                let seen = snapshot?[index]
                let current = stamp != nil && stamp == seen?.stamp
                if current, let seen, seen.unchanged, let before = seen.before {
                    let app = try loadApp(db, manifest.name)
                    let result = ManifestApplyResult(
                        app: app, created: false, configVersion: nil, release: nil, domainsAdded: [], domainsRemoved: [], changed: false,
                        changes: [])
                    return ManifestApplyOutcome(result: result, before: before, after: before)
                }
                let before = current ? seen?.before : (stamp == nil ? nil : try storedManifest(db, manifest.name))
                let result = try applyManifest(db, box: box, manifest: manifest, actor: actor, create: true)
                return ManifestApplyOutcome(result: result, before: before, after: try storedManifest(db, manifest.name))
            } catch let error as StoreError {
                throw ManifestBatchError(index: index, error: error)
            }
        }
    }

    /// The App document of an app as stored (spec, domains, plain config, secret names).
    static func storedManifest(_ db: any SQLSession, _ app: String) throws -> AppManifest {
        let view = try view(db, app)
        let config = try currentConfigVersion(db, app: app)
        return AppManifest(
            name: app, spec: view.app.spec, domains: view.domains, config: config?.vars ?? [:],
            secrets: config?.secretNames ?? [])
    }
}
