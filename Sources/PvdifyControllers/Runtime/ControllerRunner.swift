import Logging
import PvdifyDrivers
import ServiceLifecycle

/// Runs one reconciler: a work queue fed by triggers (store changes, runtime events) and a periodic
/// resync, `workers` concurrent passes, per-key backoff on failure, until graceful shutdown or
/// cancellation. Everything it starts is a child of `run()`: workers, the queue's timer, the
/// triggers (started again with backoff when a stream ends) and the resync loop.
public final class ControllerRunner: Service, Sendable {
    let reconciler: any Reconciler
    let queue = WorkQueue()
    let workers: Int
    let resyncInterval: Duration
    let triggers: [@Sendable () -> AsyncStream<String>]
    let backoff: BackoffState
    /// How long a trigger that ended waits before it is started again.
    let triggerBackoff: Backoff
    let metrics: ControllerMetrics?
    let logger: Logger

    /// - Parameter triggers: stream factories; each stream's names are queued as they arrive, and a
    ///   stream that ends is made again (after `triggerBackoff`).
    public init(
        reconciler: any Reconciler, workers: Int = 2, resyncInterval: Duration = .seconds(30),
        triggers: [@Sendable () -> AsyncStream<String>] = [], backoff: Backoff = Backoff(),
        triggerBackoff: Backoff = Backoff(base: .milliseconds(100), cap: .seconds(30)),
        metrics: ControllerMetrics? = nil, logger: Logger
    ) {
        self.reconciler = reconciler
        self.workers = workers
        self.resyncInterval = resyncInterval
        self.triggers = triggers
        self.backoff = BackoffState(backoff)
        self.triggerBackoff = triggerBackoff
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "reconciler"] = .string(reconciler.name)
        self.logger = logger
    }

    /// Queues `app` now (also for callers outside the triggers, like tests).
    public func enqueue(_ app: String) async { queue.add(app) }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask { await self.work() }
                }
                group.addTask { await self.queue.runTimer() }
                for (index, trigger) in triggers.enumerated() {
                    group.addTask { await self.follow(trigger, index: index) }
                }
                group.addTask { await self.resync() }
                // Workers end when the queue shuts down or the task is cancelled; then stop the rest.
                await group.next()
                self.queue.shutDown()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.queue.shutDown()
        }
    }

    /// Queues the names of one trigger's streams; a stream that ends is made again after a backoff
    /// (reset once a stream has delivered something), until cancelled.
    private func follow(_ trigger: @Sendable () -> AsyncStream<String>, index: Int) async {
        var attempt = 0
        while !Task.isCancelled {
            var delivered = false
            for await app in trigger() {
                delivered = true
                queue.add(app)
            }
            guard !Task.isCancelled else { return }
            attempt = delivered ? 1 : attempt + 1
            let delay = Backoff.delay(base: triggerBackoff.base, cap: triggerBackoff.cap, attempt: attempt)
            logger.notice("trigger stream ended; starting it again", metadata: ["trigger": "\(index)", "retry_in": "\(delay)"])
            try? await Task.sleep(for: delay)
        }
    }

    private func resync() async {
        while !Task.isCancelled {
            do {
                for key in try await reconciler.resyncKeys() { queue.add(key) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("resync failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: resyncInterval)
        }
    }

    private func work() async {
        while let key = await queue.next() {
            metrics?.queueDepth.set(Double(queue.depth))
            let started = ContinuousClock.now
            do {
                let result = try await reconciler.reconcile(key)
                await backoff.success(key)
                if let delay = result.requeueAfter { queue.add(key, after: delay) }
            } catch is CancellationError {
                queue.done(key)
                return
            } catch let error as any RetryLater where error.retryAfter != nil {
                // The far side asked for a pause (a rate limit): come back then, not at the backoff's pace.
                let delay = error.retryAfter!
                metrics?.errors.increment()
                logger.notice("reconcile deferred", metadata: ["app": "\(key)", "error": "\(error)", "retry_in": "\(delay)"])
                queue.add(key, after: delay)
            } catch {
                let delay = await backoff.failure(key)
                metrics?.errors.increment()
                logger.warning("reconcile failed", metadata: ["app": "\(key)", "error": "\(error)", "retry_in": "\(delay)"])
                queue.add(key, after: delay)
            }
            metrics?.reconciles.increment()
            metrics?.duration.record(ContinuousClock.now - started)
            queue.done(key)
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
