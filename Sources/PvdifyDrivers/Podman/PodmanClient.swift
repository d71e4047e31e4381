import Foundation

/// Typed calls to the libpod API: builds requests with `PodmanRequests`, sends them with
/// `PodmanTransport` and decodes the answers.
public struct PodmanClient: Sendable {
    /// The transport it sends through.
    public let transport: PodmanTransport

    /// A client over an existing transport.
    public init(transport: PodmanTransport) {
        self.transport = transport
    }

    /// A client with its own transport on the socket at `socketPath`: call `shutdown()` when done.
    public init(socketPath: String) {
        self.init(transport: PodmanTransport(socketPath: socketPath))
    }

    /// Closes the transport's connections.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    /// Checks that the service answers `_ping`.
    public func ping() async throws {
        let response = try await transport.send(PodmanRequests.ping(), timeout: .seconds(5))
        guard String(decoding: response.body, as: UTF8.self) == "OK" else {
            throw PodmanError(status: response.status, cause: "unexpected ping answer", message: String(decoding: response.body, as: UTF8.self))
        }
    }

    /// Whether the service answers `_ping` now.
    public func isReachable() async -> Bool {
        (try? await ping()) != nil
    }

    /// Waits until the service answers `_ping`, polling every 100 ms; throws the last error after `timeout`.
    public func waitUntilReachable(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                return try await ping()
            } catch {
                if ContinuousClock.now >= deadline { throw error }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Every container (running or not) that carries all the given labels (`key` or `key=value`).
    public func listContainers(labelFilters: [String] = []) async throws -> [ContainerSummary] {
        try await decode([ContainerSummary].self, PodmanRequests.listContainers(labelFilters: labelFilters))
    }

    /// One container's state; throws a `PodmanError` with `isNotFound` when it does not exist.
    public func inspect(_ name: String) async throws -> ContainerInspection {
        try await decode(ContainerInspection.self, PodmanRequests.inspect(name))
    }

    /// Creates a container (the image must already be local) and returns its id.
    @discardableResult
    public func createContainer(_ spec: ContainerSpec) async throws -> String {
        struct Created: Decodable { let Id: String }
        return try await decode(Created.self, PodmanRequests.createContainer(spec)).Id
    }

    /// Starts a container; starting a running one is not an error.
    public func start(_ name: String) async throws {
        _ = try await transport.send(PodmanRequests.start(name))
    }

    /// Stops a container (SIGTERM, SIGKILL after `timeout` seconds); stopping a stopped one is not an error.
    public func stop(_ name: String, timeout: Int = 10) async throws {
        _ = try await transport.send(PodmanRequests.stop(name, timeout: timeout), timeout: .seconds(timeout + 30))
    }

    /// Removes a container (`force` stops it first); throws when Podman reports a failure.
    public func remove(_ name: String, force: Bool = false) async throws {
        struct Report: Decodable {
            let Id: String?
            let Err: String?
        }
        let reports = try await decode([Report].self, PodmanRequests.remove(name, force: force), timeout: .seconds(60))
        if let failure = reports.compactMap(\.Err).first(where: { !$0.isEmpty }) {
            throw PodmanError(status: 500, cause: "remove failed", message: failure)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ request: PodmanRequest, timeout: Duration = .seconds(60)) async throws -> T {
        let response = try await transport.send(request, timeout: timeout)
        return try JSONDecoder().decode(T.self, from: response.body)
    }
}
