import Foundation
import Logging
import PvdifyModel
import PvdifyStore

/// Deletes expired previews (their TTL ran out since their last update) and preview apps that
/// have no record; the containers, routes and DNS records of the deleted apps go through the
/// other reconcilers as for any deleted app. One key for the whole store, so its cost does not
/// grow with the number of apps: a pass is one indexed query, and it comes back when the next
/// preview expires.
public final class PreviewSweeper: Reconciler {
    public let name = "previews"
    /// The single work-queue key of this reconciler.
    public static let key = "previews"
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

    public func resyncKeys() async throws -> [String] { [Self.key] }

    /// New apps (a preview that may expire before the next wake-up) and deleted ones.
    public static let changeKinds: Set<Change.Kind> = [.created, .deleted]

    /// Store changes of its kinds, folded into the one key.
    public func triggers() -> [@Sendable () -> AsyncStream<String>] {
        let store = self.store
        return [{
            let stream = store.changes.apps(Self.changeKinds)
            return AsyncStream { continuation in
                let task = Task {
                    for await _ in stream { continuation.yield(Self.key) }
                    continuation.finish()
                }
                continuation.onTermination = { _ in task.cancel() }
            }
        }]
    }

    public func reconcile(_ key: String) async throws -> ReconcileResult {
        let started = now()
        let sweep = try await store.sweepPreviews(now: started)
        for app in sweep.deleted {
            logger.info("preview deleted: expired or without a record", metadata: ["app": "\(app)"])
        }
        return Self.result(nextExpiry: sweep.nextExpiry, now: started)
    }

    /// Come back when the next preview expires (a second later at least, an hour at most).
    static func result(nextExpiry: Date?, now: Date) -> ReconcileResult {
        guard let nextExpiry else { return .done }
        let seconds = min(max(nextExpiry.timeIntervalSince(now), 0), Double(maxWait.components.seconds))
        return .after(max(.milliseconds(Int64(seconds * 1000)), .seconds(1)))
    }
}
