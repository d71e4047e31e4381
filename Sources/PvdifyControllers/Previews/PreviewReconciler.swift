import Foundation
import Logging
import PvdifyModel
import PvdifyStore

/// Keeps previews in line with their records and parents. The sweep key deletes expired previews
/// (their TTL ran out since their last update) and preview apps that have no record; the
/// containers, routes and DNS records of the deleted apps go through the other reconcilers as
/// for any deleted app. The sweep is one key for the whole store, so its cost does not grow with
/// the number of apps: a pass is one indexed query, and it comes back when the next preview
/// expires. Any other key is an app whose spec or config changed: its previews are derived again.
public final class PreviewReconciler: Reconciler {
    public let name = "previews"
    /// The work-queue key of the sweep (not a valid app name, so never an app's key).
    public static let sweepKey = ":sweep"
    /// The longest it waits for the next expiry before looking again (resyncs also bring it back).
    public static let maxWait: Duration = .seconds(3600)

    let store: Store
    let now: @Sendable () -> Date
    let logger: Logger

    /// - Parameter now: the clock that decides expiry (tests pass their own).
    public init(store: Store, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.store = store
        self.now = now
        self.logger = logger
    }

    public func resyncKeys() async throws -> [String] { [Self.sweepKey] }

    /// New apps (a preview that may expire before the next wake-up) and deleted ones wake the sweep.
    public static let sweepKinds: Set<Change.Kind> = [.created, .deleted]
    /// A parent's spec or config change derives its previews again.
    public static let parentKinds: Set<Change.Kind> = [.spec, .config]

    /// Store changes: those of `sweepKinds` folded into the sweep key, those of `parentKinds` by app.
    public func triggers() -> [@Sendable () -> AsyncStream<String>] {
        let store = self.store
        return [
            {
                let stream = store.changes.apps(Self.sweepKinds)
                return AsyncStream { continuation in
                    let task = Task {
                        for await _ in stream { continuation.yield(Self.sweepKey) }
                        continuation.finish()
                    }
                    continuation.onTermination = { _ in task.cancel() }
                }
            },
            { store.changes.apps(Self.parentKinds) },
        ]
    }

    public func reconcile(_ key: String) async throws -> ReconcileResult {
        guard key == Self.sweepKey else {
            let changed = try await store.refreshPreviews(key)
            if !changed.isEmpty {
                logger.info("previews derived again", metadata: ["app": "\(key)", "previews": "\(changed.joined(separator: ","))"])
            }
            return .done
        }
        let started = now()
        let sweep = try await store.sweepPreviews(now: started)
        for app in sweep.deleted {
            logger.info("preview deleted: expired or without a record", metadata: ["app": "\(app)"])
        }
        return Self.result(nextExpiry: sweep.nextExpiry, now: started)
    }

    /// Come back when the next preview expires (a second later at least, `maxWait` at most).
    static func result(nextExpiry: Date?, now: Date) -> ReconcileResult {
        guard let nextExpiry else { return .done }
        let seconds = min(max(nextExpiry.timeIntervalSince(now), 0), Double(maxWait.components.seconds))
        return .after(max(.milliseconds(Int64(seconds * 1000)), .seconds(1)))
    }
}
