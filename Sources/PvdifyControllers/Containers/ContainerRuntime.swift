import Foundation
import PvdifyDrivers

/// The container operations the container reconciler needs; Podman in production, a fake in tests.
public protocol ContainerRuntime: Sendable {
    /// pvdify's containers (those with the app label), of one app or of all.
    func list(app: String?) async throws -> [ObservedContainer]
    func pull(_ image: String, insecure: Bool, progress: @escaping @Sendable (String) -> Void) async throws
    func create(_ spec: ContainerSpec) async throws
    func start(_ name: String) async throws
    /// Stops (SIGTERM, then SIGKILL after `timeout` s) and removes; a missing container is fine.
    func remove(_ name: String, timeout: Int) async throws
    /// Output lines (stdout and stderr) from `since`, following until the container stops.
    func follow(_ name: String, since: Date?) -> AsyncThrowingStream<PvdifyDrivers.LogLine, any Error>
    /// Names of apps whose containers changed state (Podman events), until cancelled.
    func appEvents() -> AsyncThrowingStream<String, any Error>
}

/// `ContainerRuntime` over Podman's libpod API, scoped to one pvdifyd instance.
public struct PodmanRuntime: ContainerRuntime {
    let client: PodmanClient
    /// This daemon's instance id: every container it creates carries it, and it sees no other.
    let instance: String

    public init(client: PodmanClient, instance: String) {
        self.client = client
        self.instance = instance
    }

    public func list(app: String?) async throws -> [ObservedContainer] {
        let filter = app.map { "\(ContainerLabels.app)=\($0)" } ?? ContainerLabels.app
        return try await client.listContainers(labelFilters: [filter, "\(ContainerLabels.instance)=\(instance)"])
            .compactMap(ObservedContainer.init)
    }

    public func pull(_ image: String, insecure: Bool, progress: @escaping @Sendable (String) -> Void) async throws {
        try await client.pullImage(image, tlsVerify: !insecure, policy: .newer, progress: progress)
    }

    public func create(_ spec: ContainerSpec) async throws {
        var spec = spec
        spec.labels[ContainerLabels.instance] = instance
        do {
            try await client.createContainer(spec)
        } catch let error as PodmanError where error.isNameInUse {
            // A pass interrupted after create: the container is there, start it.
        }
    }

    public func start(_ name: String) async throws { try await client.start(name) }

    public func remove(_ name: String, timeout: Int) async throws {
        do {
            try await client.stop(name, timeout: timeout)
            try await client.remove(name, force: true)
        } catch let error as PodmanError where error.isNotFound {
            return
        }
    }

    public func follow(_ name: String, since: Date?) -> AsyncThrowingStream<PvdifyDrivers.LogLine, any Error> {
        client.logs(name, follow: true, since: since, timestamps: true)
    }

    public func appEvents() -> AsyncThrowingStream<String, any Error> {
        let events = client.events(labelFilters: [ContainerLabels.app, "\(ContainerLabels.instance)=\(instance)"])
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await event in events {
                        if let app = event.actor.attributes[ContainerLabels.app] { continuation.yield(app) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
