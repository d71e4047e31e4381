import Foundation

/// What the container reconciler remembers between passes about instances, by container name:
/// health results, crash restarts, retirement. Lost on restart, and rebuilt from observation.
struct InstanceFacts: Sendable {
    /// Web instances that have passed a health check since they started.
    var healthy: Set<String> = []
    /// Consecutive failed health checks, and the last failure's text.
    var failures: [String: Int] = [:]
    var lastFailure: [String: String] = [:]
    var lastChecked: [String: ContinuousClock.Instant] = [:]
    /// Crash restarts: how many, and not before when the next may happen.
    var restarts: [String: Int] = [:]
    var nextRestart: [String: Date] = [:]
    /// When an instance stopped being routed; it is removed after the drain period.
    var retiringSince: [String: Date] = [:]
    /// When the rollout of a release began (first new instance created), per release version.
    var rolloutStarted: [Int: Date] = [:]

    /// Keeps only what concerns containers that still exist and the release being rolled out, so
    /// the memory of a long-lived app does not grow with every deploy or replaced instance.
    mutating func prune(existing names: Set<String>, rollingOut release: Int?) {
        healthy.formIntersection(names)
        failures = failures.filter { names.contains($0.key) }
        lastFailure = lastFailure.filter { names.contains($0.key) }
        lastChecked = lastChecked.filter { names.contains($0.key) }
        restarts = restarts.filter { names.contains($0.key) }
        nextRestart = nextRestart.filter { names.contains($0.key) }
        retiringSince = retiringSince.filter { names.contains($0.key) }
        rolloutStarted = rolloutStarted.filter { $0.key == release }
    }

    /// Forgets a removed container.
    mutating func forget(_ name: String) {
        healthy.remove(name)
        failures[name] = nil
        lastFailure[name] = nil
        lastChecked[name] = nil
        nextRestart[name] = nil
        retiringSince[name] = nil
    }
}
