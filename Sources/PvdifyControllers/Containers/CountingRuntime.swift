import Foundation
import Prometheus
import PvdifyDrivers

/// A `ContainerRuntime` that counts every call it passes on, by kind, in Prometheus
/// (`pvdify_runtime_calls_total{call="list"}`): what an idle daemon asks of Podman is visible.
public struct CountingRuntime: ContainerRuntime {
    let inner: any ContainerRuntime
    let calls: [String: Counter]

    public init(_ inner: any ContainerRuntime, registry: PrometheusCollectorRegistry) {
        self.inner = inner
        var calls: [String: Counter] = [:]
        for call in ["list", "ports", "pull", "create", "start", "remove", "follow", "events"] {
            calls[call] = registry.makeCounter(
                descriptor: .init(namespace: "pvdify", metricName: "runtime_calls", unitName: "total", helpText: "Calls to the container runtime"),
                labels: [("call", call)])
        }
        self.calls = calls
    }

    func count(_ call: String) { calls[call]?.increment() }

    public func list(app: String?) async throws -> [ObservedContainer] {
        count("list")
        return try await inner.list(app: app)
    }

    public func publishedHostPorts() async throws -> Set<Int> {
        count("ports")
        return try await inner.publishedHostPorts()
    }

    public func pull(_ image: String, insecure: Bool, progress: @escaping @Sendable (String) -> Void) async throws {
        count("pull")
        try await inner.pull(image, insecure: insecure, progress: progress)
    }

    public func create(_ spec: ContainerSpec) async throws -> String? {
        count("create")
        return try await inner.create(spec)
    }

    public func start(_ name: String) async throws {
        count("start")
        try await inner.start(name)
    }

    public func remove(_ name: String, timeout: Int) async throws {
        count("remove")
        try await inner.remove(name, timeout: timeout)
    }

    public func follow(_ name: String, since: Date?) -> AsyncThrowingStream<LogLine, any Error> {
        count("follow")
        return inner.follow(name, since: since)
    }

    public func events(since: Date?) -> AsyncThrowingStream<ContainerEvent, any Error> {
        count("events")
        return inner.events(since: since)
    }
}
