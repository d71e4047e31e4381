import Prometheus
import PvdifyDrivers

/// Counts the git commands sources run, by subcommand, in Prometheus
/// (`pvdify_git_runs_total{command="ls-remote"}`), so that what a poll costs is visible: one
/// `ls-remote` when the remote has not moved, a `fetch` only for a new commit.
public struct GitRunCounter: Sendable {
    let counters: [String: Counter]

    /// Every subcommand `GitCommand` builds.
    static let subcommands = ["ls-remote", "init", "fetch", "rev-parse", "checkout", "clean"]

    public init(registry: PrometheusCollectorRegistry) {
        var counters: [String: Counter] = [:]
        for command in Self.subcommands {
            counters[command] = registry.makeCounter(
                descriptor: .init(namespace: "pvdify", metricName: "git_runs", unitName: "total", helpText: "git commands run for sources"),
                labels: [("command", command)])
        }
        self.counters = counters
    }

    /// The observer to give `GitRunner`.
    public var observer: @Sendable (GitCommand) -> Void {
        let counters = counters
        return { command in counters[command.subcommand]?.increment() }
    }
}
