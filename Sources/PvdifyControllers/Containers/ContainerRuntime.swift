import Foundation
import PvdifyDrivers

/// The container operations the container reconciler needs; Podman in production, a fake in tests.
public protocol ContainerRuntime: Sendable {
    /// pvdify's containers (those with the app label), of one app or of all.
    func list(app: String?) async throws -> [ObservedContainer]
    func pull(_ image: String, insecure: Bool, progress: @escaping @Sendable (String) -> Void) async throws
    /// Creates a container and returns its id (nil when a container of that name was there already).
    func create(_ spec: ContainerSpec) async throws -> String?
    func start(_ name: String) async throws
    /// Stops (SIGTERM, then SIGKILL after `timeout` s) and removes; a missing container is fine.
    func remove(_ name: String, timeout: Int) async throws
    /// Output lines (stdout and stderr) from `since`, following until the container stops or is
    /// removed (Podman's own stream ends when it stops; its log file, read directly, when it goes).
    func follow(_ name: String, since: Date?) -> AsyncThrowingStream<PvdifyDrivers.LogLine, any Error>
    /// What happens to pvdify's containers (Podman events), first replaying those since `since`,
    /// until cancelled or the connection ends.
    func events(since: Date?) -> AsyncThrowingStream<ContainerEvent, any Error>
    /// The host ports that any container the runtime knows publishes, whoever made it and whether
    /// it runs: a port stays claimed (and its forwarding rule may stay in place) for as long as its
    /// container exists, so a bind test alone cannot tell it is taken.
    func publishedHostPorts() async throws -> Set<Int>
}

/// `ContainerRuntime` over Podman's libpod API, scoped to one pvdifyd instance.
public struct PodmanRuntime: ContainerRuntime {
    let client: PodmanClient
    /// This daemon's instance id: every container it creates carries it, and it sees no other.
    let instance: String
    /// Follows the containers' log files when pvdifyd can read them.
    let files = LogFileTailer()

    public init(client: PodmanClient, instance: String) {
        self.client = client
        self.instance = instance
    }

    public func list(app: String?) async throws -> [ObservedContainer] {
        let filter = app.map { "\(ContainerLabels.app)=\($0)" } ?? ContainerLabels.app
        return try await client.listContainers(labelFilters: [filter, "\(ContainerLabels.instance)=\(instance)"])
            .compactMap(ObservedContainer.init)
    }

    public func publishedHostPorts() async throws -> Set<Int> {
        Set(try await client.listContainers().flatMap { $0.ports.map(\.hostPort) })
    }

    public func pull(_ image: String, insecure: Bool, progress: @escaping @Sendable (String) -> Void) async throws {
        try await client.pullImage(image, tlsVerify: !insecure, policy: .newer, progress: progress)
    }

    public func create(_ spec: ContainerSpec) async throws -> String? {
        var spec = spec
        spec.labels[ContainerLabels.instance] = instance
        do {
            return try await client.createContainer(spec)
        } catch let error as PodmanError where error.isNameInUse {
            // A pass interrupted after create: the container is there, start it.
            return nil
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

    /// Reads the container's `k8s-file` log itself when it can (one poller for every container,
    /// rather than a follower per container inside Podman's service); else asks Podman to stream.
    public func follow(_ name: String, since: Date?) -> AsyncThrowingStream<PvdifyDrivers.LogLine, any Error> {
        let client = self.client, files = self.files
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let inspection = try await client.inspect(name)
                    let lines = inspection.logDriver == "k8s-file" && LogFileTailer.canRead(inspection.logPath)
                        ? files.follow(inspection.logPath, since: since)
                        : client.logs(name, follow: true, since: since, timestamps: true)
                    for try await line in lines { continuation.yield(line) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func events(since: Date?) -> AsyncThrowingStream<ContainerEvent, any Error> {
        let events = client.events(labelFilters: [ContainerLabels.app, "\(ContainerLabels.instance)=\(instance)"], since: since)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await event in events {
                        if let event = Self.containerEvent(event) { continuation.yield(event) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// A Podman event as the observed-state cache reads it; nil for events of no pvdify container.
    static func containerEvent(_ event: PodmanEvent) -> ContainerEvent? {
        guard event.type == "container" || event.type.isEmpty, let name = event.name else { return nil }
        let action = ContainerEvent.Action(rawValue: event.action) ?? .other
        let container = ObservedContainer(
            name: name, labels: event.actor.attributes, running: action == .start, exitCode: event.exitCode ?? 0,
            startedAt: action == .start ? event.time : nil, id: event.actor.id.isEmpty ? nil : event.actor.id)
        guard container != nil else { return nil }
        return ContainerEvent(action: action, id: event.actor.id, name: name, container: container, exitCode: event.exitCode, time: event.time)
    }
}
