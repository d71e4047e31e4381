import Foundation
import PvdifyStore

/// How the container reconciler observes: through its cache, filled by one full list at start, at
/// each resync and after the event stream reconnects, and kept current by events in between.
extension ContainerReconciler {
    /// The store changes containers act on; domains, for one, are none of theirs.
    public static let changeKinds: Set<Change.Kind> = [.created, .spec, .release, .config, .routed, .deleted]

    /// How long after a failed list a pass may try another (the runtime is down: passes say so).
    static let relistPause: Duration = .seconds(1)

    /// What wakes this reconciler: store changes of its kinds, the runtime's events (which keep the
    /// cache current) and failing health checks.
    public func triggers() -> [@Sendable () -> AsyncStream<String>] {
        let store = self.store
        return [
            { store.changes.apps(Self.changeKinds) },
            { self.eventTrigger() },
            { self.healthTrigger() },
        ]
    }

    /// An app's containers from the cache; nil when the runtime cannot be reached. Before the
    /// first full list, or after the event stream broke, the pass lists everything itself.
    func observe(_ app: String) async -> [ObservedContainer]? {
        if await !cache.isSynced {
            if let failed = await cache.lastFailure, ContinuousClock.now - failed < Self.relistPause { return nil }
            guard (try? await relist()) != nil else { return nil }
        }
        return await cache.containers(of: app)
    }

    /// Lists every container into the cache; answers the apps whose containers differ from before.
    /// Health records of containers no longer there are dropped.
    @discardableResult
    func relist() async throws -> Set<String> {
        let runtime = self.runtime
        let changed = try await cache.refresh { try await runtime.list(app: nil) }
        await ports.reserveOnly(await cache.hostPorts)
        await health.retainOnly(await cache.containerNames)
        return changed
    }

    /// A resync lists once: the apps whose containers differ from the cache, whose spec moved since
    /// their last converged pass (or that never converged), and orphans (containers of no app).
    /// With the runtime unreachable, every app, so each says so.
    public func resyncKeys() async throws -> [String] {
        let changed: Set<String>
        do {
            changed = try await relist()
        } catch {
            logger.warning("resync: listing containers failed", metadata: ["error": "\(error)"])
            return try await store.appNames()
        }
        let generations = try await store.appGenerations()
        let revisions = await cache.allRevisions
        var keys = changed.union(await memory.unconverged(generations: generations, revisions: revisions))
        keys.formUnion(await cache.apps.subtracting(generations.keys))
        return keys.sorted()
    }

    /// Follows the runtime's events into the cache and yields the apps they concern. After each
    /// (re)connection it lists everything first and replays events from just before the list, so
    /// nothing that happened while it was away is missed; when the runtime was unreachable, every
    /// app is visited once it is back (adopting its containers).
    public func eventTrigger() -> AsyncStream<String> {
        AsyncStream { continuation in
            let task = Task {
                var wasDown = false
                while !Task.isCancelled {
                    let since = Date().addingTimeInterval(-2)
                    do {
                        let changed = try await relist()
                        var wake = changed
                        if wasDown { wake.formUnion(try await store.appNames()) }
                        wasDown = false
                        for app in wake.sorted() { continuation.yield(app) }
                        for try await event in runtime.events(since: since) {
                            guard let app = await cache.apply(event) else { continue }
                            // Removed (by pvdifyd or by hand): its health record goes with it.
                            if event.action == .remove { await health.forget(event.name) }
                            continuation.yield(app)
                        }
                    } catch {
                        wasDown = true
                    }
                    await cache.markStale()
                    try? await Task.sleep(for: .seconds(1))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Runs the health scheduler; yields the app of every failing check.
    public func healthTrigger() -> AsyncStream<String> {
        let health = self.health
        return AsyncStream { continuation in
            let task = Task {
                await health.run { app in continuation.yield(app) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// List calls made so far (the cache's full lists).
    public var listCalls: Int { get async { await cache.listCalls } }
}
