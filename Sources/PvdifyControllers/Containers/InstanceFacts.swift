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
