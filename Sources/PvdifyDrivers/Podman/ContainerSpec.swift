import Foundation

/// What pvdify asks Podman to create: one process instance of an app.
public struct ContainerSpec: Sendable, Equatable {
    /// A container port published on a host address (loopback unless said otherwise).
    public struct PortMapping: Sendable, Equatable {
        /// The host address the port is bound to.
        public var hostIP: String
        /// The port on the host.
        public var hostPort: Int
        /// The port inside the container.
        public var containerPort: Int

        /// Publishes `containerPort` on `hostIP:hostPort`, by default on 127.0.0.1.
        public init(hostPort: Int, containerPort: Int, hostIP: String = "127.0.0.1") {
            self.hostIP = hostIP
            self.hostPort = hostPort
            self.containerPort = containerPort
        }
    }

    /// The container's name (unique on the host).
    public var name: String
    /// The image reference.
    public var image: String
    /// A shell command run as `/bin/sh -c <command>`; nil runs the image's own command.
    public var command: String?
    /// Environment variables.
    public var env: [String: String]
    /// Labels (pvdify marks what it owns with them).
    public var labels: [String: String]
    /// Published ports.
    public var ports: [PortMapping]
    /// A memory limit in bytes, or nil for none.
    public var memoryBytes: Int64?
    /// A CPU limit in cores (0.5 is half a core), or nil for none.
    public var cpus: Double?
    /// Seconds `podman stop` waits after SIGTERM before SIGKILL, or nil for Podman's default (10).
    public var stopTimeout: Int?

    /// Makes a spec; everything but name and image is optional.
    public init(
        name: String, image: String, command: String? = nil, env: [String: String] = [:],
        labels: [String: String] = [:], ports: [PortMapping] = [], memoryBytes: Int64? = nil,
        cpus: Double? = nil, stopTimeout: Int? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.env = env
        self.labels = labels
        self.ports = ports
        self.memoryBytes = memoryBytes
        self.cpus = cpus
        self.stopTimeout = stopTimeout
    }
}
