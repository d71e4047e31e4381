import Foundation
import Logging
import PvdifyDrivers
import PvdifyModel
import PvdifyStore

/// Keeps the apps of each Source equal to what its repository says. One pass: skip while
/// suspended or before the interval is up; ask the remote for the ref's commit (`git ls-remote`);
/// when that commit is new (or a sync was asked for, or the spec changed, or the last attempt
/// failed), fetch it shallowly, read and validate every manifest under `path`, and apply them in
/// one transaction through the store, as `SourceSyncPlanner` decides. Status is written once at
/// the end. It never talks to Podman, Caddy or Cloudflare: the other reconcilers take it from there.
public struct SourceReconciler: Reconciler {
    public let name = "sources"
    let store: Store
    let dataDirectory: URL
    let git: GitRunner
    let logger: Logger

    public init(store: Store, dataDirectory: URL, git: GitRunner = GitRunner(), logger: Logger) {
        self.store = store
        self.dataDirectory = dataDirectory
        self.git = git
        self.logger = logger
    }

    /// Store changes to sources (spec changes, sync requests, credentials).
    public func triggers() -> [@Sendable () -> AsyncStream<String>] {
        let store = store
        return [{ store.sourceChanges.apps([.source]) }]
    }

    public func resyncKeys() async throws -> [String] { try await store.sourceNames() }

    public func reconcile(_ key: String) async throws -> ReconcileResult {
        let workspace = SourceWorkspace(dataDirectory: dataDirectory, source: key, git: git)
        let source: Source
        do {
            source = try await store.source(key)
        } catch StoreError.notFound {
            workspace.remove()
            return .done
        }
        var status = source.status ?? SourceStatus()
        let now = Date()
        if source.spec.suspend {
            if status.ready?.reason != SourceReason.suspended || status.observedGeneration != source.generation {
                status.observedGeneration = source.generation
                status.setReady(false, reason: SourceReason.suspended, message: "Syncing is suspended; API writes to the source's apps are allowed", now: now)
                try await store.writeSourceStatus(key, status)
            }
            return .done
        }
        let interval = source.spec.interval.duration
        let asked = source.syncRequestedAt.map { requested in status.lastSyncAt.map { requested > $0 } ?? true } ?? false
        let forced = asked || status.observedGeneration != source.generation || status.lastSyncAt == nil
        if !forced, let last = status.lastSyncAt {
            let elapsed = Duration.milliseconds(Int64(now.timeIntervalSince(last) * 1000))
            if elapsed < interval { return .after(interval - elapsed) }
        }
        status.observedGeneration = source.generation
        await sync(source, workspace: workspace, status: &status, forced: forced)
        status.lastSyncAt = Date()
        try await store.writeSourceStatus(key, status)
        return .after(interval)
    }

    /// One poll, and a sync when needed; every outcome ends up in `status`.
    func sync(_ source: Source, workspace: SourceWorkspace, status: inout SourceStatus, forced: Bool) async {
        let name = source.name
        var revision: String?
        do {
            let credentials = try await store.sourceCredentials(name)
            let remote = try await workspace.remoteRevision(source.spec, credentials: credentials)
            revision = remote
            let settled = remote == status.lastAttemptedRevision && remote == status.lastAppliedRevision
                && [SourceReason.succeeded, SourceReason.conflicts].contains(status.ready?.reason)
            if settled && !forced {
                status.revision = remote
                return
            }
            do {
                try await workspace.checkout(source.spec, revision: remote, credentials: credentials)
            } catch GitError.failed {
                // A clone left damaged (a daemon stopped mid-fetch) is started over once.
                workspace.resetRepository()
                try await workspace.checkout(source.spec, revision: remote, credentials: credentials)
            }
            status.revision = remote
            status.lastAttemptedRevision = remote
            let documents = try RepositoryManifests.read(
                root: workspace.repository, folder: source.spec.path, sealingKey: try await store.sealingKey())
            let result = try await store.syncSource(name, revision: remote, documents: documents, dryRun: false, plan: SourceSyncPlanner.plan)
            status.inventory = try await store.sourceInventory(name)
            record(result, revision: remote, status: &status)
        } catch let error as GitError {
            let reason: String
            if case .authenticationFailed = error { reason = SourceReason.authenticationFailed } else { reason = SourceReason.fetchFailed }
            fail(reason, "\(error.description)", revision: revision, status: &status)
        } catch let problems as RepositoryManifests.Problems {
            let message = problems.messages.count == 1
                ? problems.messages[0] : "\(problems.messages.count) invalid documents: " + problems.messages.joined(separator: "; ")
            fail(SourceReason.validationFailed, message + "; nothing from this commit was applied", revision: revision, status: &status)
        } catch let failure as ManifestBatchError {
            let reason = if case .invalid = failure.error { SourceReason.validationFailed } else { SourceReason.applyFailed }
            fail(reason, "\(failure.error.description); nothing from this commit was applied", revision: revision, status: &status)
        } catch {
            fail(SourceReason.applyFailed, "\(error)", revision: revision, status: &status)
        }
    }

    /// What syncing the source's current remote commit would do, changing nothing: a fresh
    /// shallow clone of its own (so it never races a sync), read, validated, and applied in a
    /// transaction that is rolled back.
    public func preview(_ name: String) async throws -> SourcePreview {
        do {
            return try await previewSync(name)
        } catch let error as GitError {
            if case .authenticationFailed = error { throw SourcePreviewError(reason: SourceReason.authenticationFailed, message: error.description) }
            throw SourcePreviewError(reason: SourceReason.fetchFailed, message: error.description)
        } catch let problems as RepositoryManifests.Problems {
            throw SourcePreviewError(reason: SourceReason.validationFailed, message: problems.messages.joined(separator: "; "))
        } catch let failure as ManifestBatchError {
            throw SourcePreviewError(reason: SourceReason.applyFailed, message: failure.error.description)
        }
    }

    func previewSync(_ name: String) async throws -> SourcePreview {
        let source = try await store.source(name)
        let credentials = try await store.sourceCredentials(name)
        let workspace = SourceWorkspace(dataDirectory: dataDirectory, source: name, git: git, folder: "preview-\(UUID().uuidString)")
        defer { workspace.resetRepository() }
        let revision = try await workspace.remoteRevision(source.spec, credentials: credentials)
        try await workspace.checkout(source.spec, revision: revision, credentials: credentials)
        let documents = try RepositoryManifests.read(
            root: workspace.repository, folder: source.spec.path, sealingKey: try await store.sealingKey())
        let result = try await store.syncSource(name, revision: revision, documents: documents, dryRun: true, plan: SourceSyncPlanner.plan)
        return SourcePreview(revision: revision, result: result)
    }

    func record(_ result: SourceSyncResult, revision: String, status: inout SourceStatus) {
        let now = Date()
        if let blocked = result.plan.blocked {
            status.setReady(false, reason: SourceReason.pruneBlocked, message: blocked, now: now)
            status.record(SyncRecord(revision: revision, time: now, outcome: SourceReason.pruneBlocked, message: blocked))
            logger.warning("source sync blocked by the mass-prune guard", metadata: ["revision": "\(revision)"])
            return
        }
        status.lastAppliedRevision = revision
        let created = result.outcomes.filter(\.result.created).map(\.after.name)
        let changed = result.outcomes.filter { $0.result.changed && !$0.result.created }.map(\.after.name)
        let unchanged = result.outcomes.filter { !$0.result.changed }.map(\.after.name)
        var notes: [String] = []
        if !result.plan.release.isEmpty {
            notes.append("left the repository and are no longer managed (prune is off): \(result.plan.release.joined(separator: ", "))")
        }
        let message: String
        let reason: String
        if result.plan.conflicts.isEmpty {
            reason = SourceReason.succeeded
            message = (["Applied \(short(revision)): \(created.count) created, \(changed.count) changed, \(result.plan.prune.count) pruned, \(unchanged.count) unchanged"] + notes).joined(separator: "; ")
            status.setReady(true, reason: reason, message: message, now: now)
        } else {
            reason = SourceReason.conflicts
            message = (["Applied \(short(revision)) except \(result.plan.conflicts.count) app(s) left alone: "
                + result.plan.conflicts.map(\.message).joined(separator: "; ")] + notes).joined(separator: "; ")
            status.setReady(false, reason: reason, message: message, now: now)
        }
        status.record(SyncRecord(
            revision: revision, time: now, outcome: reason, created: created, changed: changed, pruned: result.plan.prune,
            unchanged: unchanged, message: message))
    }

    func fail(_ reason: String, _ message: String, revision: String?, status: inout SourceStatus) {
        let now = Date()
        status.setReady(false, reason: reason, message: message, now: now)
        // A failed poll of an unchanged commit is not a sync; it shows in the condition only.
        if status.history.first?.revision != revision || status.history.first?.outcome != reason || status.history.first?.message != message {
            status.record(SyncRecord(revision: revision, time: now, outcome: reason, message: message))
        }
        logger.warning("source sync failed", metadata: ["reason": "\(reason)", "revision": "\(revision ?? "")"])
    }

    func short(_ revision: String) -> String { String(revision.prefix(12)) }
}
