import Logging
import ServiceLifecycle

/// Runs one reconciler: a work queue fed by triggers (store changes, runtime events) and a periodic
/// resync, `workers` concurrent passes, per-key backoff on failure, until graceful shutdown.
public final class ControllerRunner: Service, Sendable {
    let reconciler: any Reconciler
    let queue = WorkQueue()
    let workers: Int
    let resyncInterval: Duration
    let triggers: [@Sendable () -> AsyncStream<String>]
    let backoff: BackoffState
    let metrics: ControllerMetrics?
    let logger: Logger

    /// - Parameter triggers: stream factories; each stream's names are queued as they arrive.
    public init(
        reconciler: any Reconciler, workers: Int = 2, resyncInterval: Duration = .seconds(30),
        triggers: [@Sendable () -> AsyncStream<String>] = [], backoff: Backoff = Backoff(),
        metrics: ControllerMetrics? = nil, logger: Logger
    ) {
        self.reconciler = reconciler
        self.workers = workers
        self.resyncInterval = resyncInterval
        self.triggers = triggers
        self.backoff = BackoffState(backoff)
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "reconciler"] = .string(reconciler.name)
        self.logger = logger
    }

    /// Queues `app` now (also for callers outside the triggers, like tests).
    public func enqueue(_ app: String) async { await queue.add(app) }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask { await self.work() }
                }
                for trigger in triggers {
                    group.addTask {
                        for await app in trigger() { await self.queue.add(app) }
                    }
                }
                group.addTask { await self.resync() }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await self.queue.shutDown() }
        }
    }

    private func resync() async {
        while !Task.isCancelled {
            do {
                for key in try await reconciler.resyncKeys() { await queue.add(key) }
            } catch {
                logger.warning("resync failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: resyncInterval)
        }
    }

    private func work() async {
        while let key = await queue.next() {
            metrics?.queueDepth.set(Double(await queue.depth))
            let started = ContinuousClock.now
            do {
                let result = try await reconciler.reconcile(key)
                await backoff.success(key)
                if let delay = result.requeueAfter { await queue.add(key, after: delay) }
            } catch is CancellationError {
                await queue.done(key)
                return
            } catch {
                let delay = await backoff.failure(key)
                metrics?.errors.increment()
                logger.warning("reconcile failed", metadata: ["app": "\(key)", "error": "\(error)", "retry_in": "\(delay)"])
                await queue.add(key, after: delay)
            }
            metrics?.reconciles.increment()
            metrics?.duration.record(ContinuousClock.now - started)
            await queue.done(key)
        }
    }
}

/// The runner's backoff, shared by its workers.
actor BackoffState {
    private var backoff: Backoff
    init(_ backoff: Backoff) { self.backoff = backoff }
    func failure(_ key: String) -> Duration { backoff.failure(key) }
    func success(_ key: String) { backoff.success(key) }
}
