/// One reconciler: given an app name, observe the world, diff it with the desired state, act on
/// the difference and write status. The runner owns queueing, retries and concurrency.
public protocol Reconciler: Sendable {
    /// A short name for logs and metrics (`containers`, `routes`, `dns`).
    var name: String { get }

    /// Converges one app. Throwing retries the key with backoff; the result may ask to come back.
    func reconcile(_ app: String) async throws -> ReconcileResult

    /// Every key a periodic resync should visit: desired apps and anything observed that may be orphaned.
    func resyncKeys() async throws -> [String]
}

/// What the runner does with a key after a successful pass.
public struct ReconcileResult: Sendable, Equatable {
    /// Come back after this long even without a trigger (a rollout in progress, a backoff of its own).
    public var requeueAfter: Duration?

    public init(requeueAfter: Duration? = nil) { self.requeueAfter = requeueAfter }

    /// Done until the next change, event or resync.
    public static let done = ReconcileResult()

    public static func after(_ delay: Duration) -> ReconcileResult { ReconcileResult(requeueAfter: delay) }
}
