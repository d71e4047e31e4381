import Foundation
import PvdifyModel

/// What one app should be running, resolved from the store for one reconcile pass.
struct DesiredApp: Sendable {
    struct Process: Sendable {
        var type: String
        var count: Int
        var command: String?
        var hash: String
        var isWeb: Bool { type == "web" }
    }

    var name: String
    var generation: Int
    var bindPort: Int
    /// The release to run: the newest one that has not failed. nil: nothing to run.
    var target: Release?
    /// The release that is serving now (`active`), when there is one.
    var serving: Release?
    var env: [String: String]
    var processes: [String: Process]
    var resources: Resources
    var healthcheck: Healthcheck
    /// The newest release, if it failed (the app keeps serving `serving`).
    var failedNewest: Release?
    /// Host ports the router sends traffic to now; nil when routing is disabled. A retired web
    /// instance is stopped only once the router no longer uses it.
    var routedPorts: Set<Int>? = nil
    /// Every release of the app, newest first (a completed rollout supersedes the ones before).
    var releases: [Release] = []

    /// A new release is rolling out: instances of `target` replace those of `serving` all at once.
    var isRollout: Bool { target != nil && target?.version != serving?.version }
}
