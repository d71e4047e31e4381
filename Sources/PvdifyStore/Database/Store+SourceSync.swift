import Foundation
import PvdifyModel

/// An App document read from a source's repository, and the file it is in.
public struct SourcedManifest: Sendable {
    public var manifest: AppManifest
    /// Relative to the repository root.
    public var path: String

    public init(manifest: AppManifest, path: String) {
        self.manifest = manifest
        self.path = path
    }
}

/// What one sync did (or, dry, would do).
public struct SourceSyncResult: Sendable {
    public var plan: SourceSyncPlan
    public var outcomes: [ManifestApplyOutcome]
}

/// What syncing a source's current remote commit would do, computed without changing anything.
public struct SourcePreview: Sendable {
    public var revision: String
    public var result: SourceSyncResult

    public init(revision: String, result: SourceSyncResult) {
        self.revision = revision
        self.result = result
    }
}

/// Why a dry run of a source could not say what a sync would do.
public struct SourcePreviewError: Error, Sendable {
    /// A `Ready` reason (`FetchFailed`, `AuthenticationFailed`, `ValidationFailed`, `ApplyFailed`).
    public var reason: String
    public var message: String

    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }
}

extension Store {
    /// Applies a source's manifests at `revision` in one transaction, as `plan` decides from a
    /// snapshot read inside that transaction: the apps applied become owned by the source, the
    /// conflicts are left alone, pruned apps are deleted. A refused document refuses the whole
    /// sync (`ManifestBatchError`, indexed into `documents`); a blocked plan writes nothing.
    public func syncSource(
        _ name: String, revision: String, documents: [SourcedManifest], dryRun: Bool,
        plan planner: @escaping @Sendable (SourceSyncSnapshot) -> SourceSyncPlan
    ) async throws -> SourceSyncResult {
        let box = secrets
        let body: @Sendable (any SQLSession) throws -> (SourceSyncResult, [Change]) = { db in
            let source = try Self.loadSource(db, name)
            let owners = Dictionary(
                try SQLRow.fetchAll(db, sql: "SELECT app, source FROM app_owners").map { ($0["app"] as String, $0["source"] as String) },
                uniquingKeysWith: { first, _ in first })
            let snapshot = SourceSyncSnapshot(
                source: name, spec: source.spec,
                desired: documents.map { SourceInventoryEntry(app: $0.manifest.name, path: $0.path) },
                existing: Set(try String.fetchAll(db, sql: "SELECT name FROM apps")),
                previews: Set(try String.fetchAll(db, sql: "SELECT name FROM apps WHERE preview_of IS NOT NULL")),
                owners: owners)
            let plan = planner(snapshot)
            guard plan.blocked == nil else { return (SourceSyncResult(plan: plan, outcomes: []), []) }

            let applying = Set(plan.apply)
            let chosen = documents.enumerated().filter { applying.contains($0.element.manifest.name) }
            let outcomes: [ManifestApplyOutcome]
            do {
                outcomes = try Self.applyBatch(
                    db, box: box, manifests: chosen.map(\.element.manifest), actor: "source:\(name)", managedBy: name)
            } catch let failure as ManifestBatchError {
                throw ManifestBatchError(index: chosen[failure.index].offset, error: failure.error)
            }
            for (_, document) in chosen {
                try db.execute(
                    sql: """
                        INSERT INTO app_owners (app, source, revision, path) VALUES (?, ?, ?, ?)
                        ON CONFLICT(app) DO UPDATE SET source = excluded.source, revision = excluded.revision, path = excluded.path
                        """,
                    arguments: [document.manifest.name, name, revision, document.path])
            }
            // What the apply changed, and every app whose owner changed (its view shows `managed_by`).
            var touched = outcomes.flatMap(\.result.changes) + (plan.apply + plan.release).map { Change($0, .status) }
            for app in plan.release {
                try db.execute(sql: "DELETE FROM app_owners WHERE app = ? AND source = ?", arguments: [app, name])
            }
            for app in plan.prune {
                touched += (try String.fetchAll(db, sql: "SELECT name FROM apps WHERE preview_of = ?", arguments: [app]) + [app])
                    .map { Change($0, .deleted) }
                try db.execute(sql: "DELETE FROM apps WHERE name = ?", arguments: [app])
            }
            return (SourceSyncResult(plan: plan, outcomes: outcomes), touched)
        }
        if dryRun {
            return try await database.writeAndRollback { db in try body(db).0 }
        }
        return try await leaderWrite(body)
    }
}
