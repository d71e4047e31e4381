import Foundation
import PvdifyDrivers
import PvdifyStore

/// Follows every running pvdify container's output into the app's log buffer, so logs outlive
/// containers; picks up after the last line seen when a container starts again.
actor LogCollector {
    let runtime: any ContainerRuntime
    let logs: AppLogs
    private var following: [String: Task<Void, Never>] = [:]
    private var lastSeen: [String: Date] = [:]

    init(runtime: any ContainerRuntime, logs: AppLogs) {
        self.runtime = runtime
        self.logs = logs
    }

    /// Starts following each running container not followed yet.
    func ensureFollowing(_ containers: [ObservedContainer]) {
        for container in containers where container.running && following[container.name] == nil {
            let since = lastSeen[container.name]
            let name = container.name
            following[name] = Task { [runtime, logs] in
                do {
                    for try await line in runtime.follow(name, since: since) {
                        let timestamp = line.timestamp ?? Date()
                        if let since, timestamp <= since { continue }
                        self.seen(name, at: timestamp)
                        logs.append(container.app, PvdifyStore.LogLine(timestamp: timestamp, process: container.instance, message: line.text))
                    }
                } catch {}
                self.ended(name)
            }
        }
    }

    private func seen(_ name: String, at time: Date) { lastSeen[name] = time }
    private func ended(_ name: String) { following[name] = nil }

    /// Stops following a removed container.
    func forget(_ name: String) {
        following.removeValue(forKey: name)?.cancel()
        lastSeen[name] = nil
    }

    func stopAll() {
        for task in following.values { task.cancel() }
        following.removeAll()
    }
}
