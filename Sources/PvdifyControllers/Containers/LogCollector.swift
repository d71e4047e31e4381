import Foundation
import PvdifyDrivers
import PvdifyStore
import ServiceLifecycle
import Synchronization

/// Follows every running pvdify container's output into its app's log, so logs outlive containers.
/// A stream that stops (the container stopped, or pvdifyd restarted) resumes from the last line kept:
/// Podman replays from that line's second, and the lines already kept at that instant are skipped.
///
/// A service: each follower is a child task of `run()`, ended when its container goes or the
/// service stops; nothing outlives it.
public final class LogCollector: Service, Sendable {
    let runtime: any ContainerRuntime
    let logs: AppLogs
    private let commands: AsyncStream<Follower>
    private let submit: AsyncStream<Follower>.Continuation
    private let state = Mutex(State())

    /// A container being followed; `stop` ends its follower.
    private struct Follower: Sendable {
        let container: ObservedContainer
        let id: Int
        let stopped: AsyncStream<Void>
    }

    private struct State {
        /// Containers followed now.
        var following: [String: (id: Int, stop: AsyncStream<Void>.Continuation)] = [:]
        /// Every container seen and not removed yet, with its app.
        var known: [String: String] = [:]
        var nextID = 0
    }

    init(runtime: any ContainerRuntime, logs: AppLogs) {
        self.runtime = runtime
        self.logs = logs
        (commands, submit) = AsyncStream.makeStream(of: Follower.self)
    }

    /// Follows containers until shutdown; each container's follower is a child task.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await follower in self.commands {
                    group.addTask { await self.follow(follower) }
                }
                group.cancelAll()
            }
        }
        stopAll()
    }

    /// Starts following each running container not followed yet. `containers` are all of their
    /// apps' containers: one of those apps' containers missing from them is gone, and forgotten.
    func ensureFollowing(_ containers: [ObservedContainer]) async {
        let apps = Set(containers.map(\.app))
        let present = Set(containers.map(\.name))
        let gone = state.withLock { state in
            state.known.filter { apps.contains($0.value) && !present.contains($0.key) }.map(\.key)
        }
        for name in gone { await forget(name) }
        for container in containers where container.running {
            let follower = state.withLock { state -> Follower? in
                state.known[container.name] = container.app
                guard state.following[container.name] == nil else { return nil }
                state.nextID += 1
                let (stopped, stop) = AsyncStream.makeStream(of: Void.self)
                state.following[container.name] = (state.nextID, stop)
                return Follower(container: container, id: state.nextID, stopped: stopped)
            }
            if let follower { submit.yield(follower) }
        }
    }

    /// Stops following a removed container and forgets where its stream stood.
    func forget(_ name: String) async {
        let (entry, app) = state.withLock { ($0.following.removeValue(forKey: name), $0.known.removeValue(forKey: name)) }
        entry?.stop.finish()
        if let app { logs.forget(app, source: name) }
    }

    /// Stops following a deleted app's containers and deletes its logs (again, after its last
    /// containers are gone, in case one wrote a line after the API dropped them).
    func appDeleted(_ app: String) async {
        let entries = state.withLock { state in
            let names = state.known.filter { $0.value == app }.keys
            for name in names { state.known[name] = nil }
            return names.compactMap { state.following.removeValue(forKey: $0) }
        }
        for entry in entries { entry.stop.finish() }
        logs.drop(app)
    }

    /// How many containers are followed now (for tests).
    var followedCount: Int { state.withLock { $0.following.count } }

    func stopAll() {
        let entries = state.withLock { state in
            defer { state.following.removeAll() }
            return Array(state.following.values)
        }
        for entry in entries { entry.stop.finish() }
        submit.finish()
    }

    /// Runs one follower until its stream ends, it is stopped, or the service stops.
    private func follow(_ follower: Follower) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.copyLines(follower.container) }
            group.addTask { for await _ in follower.stopped {} }
            await group.next()
            group.cancelAll()
        }
        state.withLock { state in
            if state.following[follower.container.name]?.id == follower.id { state.following[follower.container.name] = nil }
        }
    }

    /// Copies a container's lines into its app's log, from where its stream stood.
    private func copyLines(_ container: ObservedContainer) async {
        let name = container.name
        let resume = logs.resumePoint(container.app, source: name)
        var skipping = 0
        // Podman's `since` is taken to the second here, so the stream starts at or before the last kept line.
        let since = resume.map { LogTime.date($0.micros - $0.micros % 1_000_000) }
        do {
            for try await line in runtime.follow(name, since: since) {
                let micros = LogTime.micros(line.timestamp ?? Date())
                if let resume {
                    if micros < resume.micros { continue }
                    if micros == resume.micros, skipping < resume.messages.count {
                        if resume.messages[skipping] == line.text {
                            skipping += 1
                            continue
                        }
                        skipping = resume.messages.count
                    }
                }
                logs.append(
                    container.app, LogLine(timestamp: LogTime.date(micros), process: container.instance, message: line.text), source: name)
            }
        } catch {}
    }
}

extension ContainerReconciler {
    /// The service that follows this reconciler's containers' output; run it beside the reconciler.
    public var logCollector: LogCollector { collector }
}
