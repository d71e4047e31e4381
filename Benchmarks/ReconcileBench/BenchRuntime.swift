import Foundation
import PvdifyControllers
import PvdifyDrivers
import Synchronization

/// An in-memory container runtime that counts list and mutating calls.
final class BenchRuntime: ContainerRuntime {
    struct State {
        var containers: [String: ObservedContainer] = [:]
        var lists = 0
        var mutations = 0
        var nextID = 0
    }

    let state = Mutex(State())

    var lists: Int { state.withLock { $0.lists } }
    var mutations: Int { state.withLock { $0.mutations } }

    func list(app: String?) async throws -> [ObservedContainer] {
        state.withLock { state in
            state.lists += 1
            return state.containers.values.filter { app == nil || $0.app == app }
        }
    }

    func publishedHostPorts() async throws -> Set<Int> {
        state.withLock { Set($0.containers.values.compactMap(\.hostPort)) }
    }
    func pull(_ image: String, insecure: Bool, progress: @escaping @Sendable (String) -> Void) async throws {
        state.withLock { $0.mutations += 1 }
    }

    func create(_ spec: ContainerSpec) async throws -> String? {
        state.withLock { state in
            state.nextID += 1
            state.mutations += 1
            state.containers[spec.name] = ObservedContainer(name: spec.name, labels: spec.labels, running: false, id: "id\(state.nextID)")
            return "id\(state.nextID)"
        }
    }

    func start(_ name: String) async throws {
        state.withLock { state in
            state.mutations += 1
            state.containers[name]?.running = true
            state.containers[name]?.startedAt = Date()
        }
    }

    func remove(_ name: String, timeout: Int) async throws {
        state.withLock { state in
            state.mutations += 1
            state.containers[name] = nil
        }
    }

    func follow(_ name: String, since: Date?) -> AsyncThrowingStream<LogLine, any Error> {
        AsyncThrowingStream { $0.finish() }
    }

    func events(since: Date?) -> AsyncThrowingStream<ContainerEvent, any Error> {
        AsyncThrowingStream { _ in }
    }
}

/// Every web instance answers its health check.
struct AlwaysHealthy: HealthProbe {
    func check(port: Int, path: String, timeout: Duration) async -> String? { nil }
}
