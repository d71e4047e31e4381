import Foundation

/// One entry of `GET /containers/json`: what the reconcilers need to compare with desired state.
public struct ContainerSummary: Sendable, Equatable, Decodable {
    /// A published port as the list reports it.
    public struct Port: Sendable, Equatable, Decodable {
        /// The host address (`127.0.0.1` for pvdify's containers).
        public let hostIP: String
        /// The port on the host.
        public let hostPort: Int
        /// The port inside the container.
        public let containerPort: Int
        /// `tcp` or `udp`.
        public let `protocol`: String

        enum CodingKeys: String, CodingKey {
            case hostIP = "host_ip", hostPort = "host_port", containerPort = "container_port", `protocol`
        }
    }

    /// The full container id.
    public let id: String
    /// The container's names (one, in practice).
    public let names: [String]
    /// Its labels.
    public let labels: [String: String]
    /// `created`, `running`, `exited`, `stopped`, `paused`, ...
    public let state: String
    /// Its published ports.
    public let ports: [Port]
    /// The image reference it was created from.
    public let image: String
    /// The exit code of its last run (0 while running).
    public let exitCode: Int
    /// When it last started, or nil if it never did.
    public let startedAt: Date?
    /// When it last exited, or nil if it never did.
    public let exitedAt: Date?

    /// The first name, or the id when it has none.
    public var name: String { names.first ?? id }
    /// Whether it is running now.
    public var isRunning: Bool { state == "running" }
    /// The host ports it publishes.
    public var hostPorts: [Int] { ports.map(\.hostPort) }

    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", labels = "Labels", state = "State", ports = "Ports", image = "Image"
        case exitCode = "ExitCode", startedAt = "StartedAt", exitedAt = "ExitedAt"
    }

    /// Decodes the libpod list entry; null lists and maps become empty, zero times become nil.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        names = try c.decodeIfPresent([String].self, forKey: .names) ?? []
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        state = try c.decodeIfPresent(String.self, forKey: .state) ?? ""
        ports = try c.decodeIfPresent([Port].self, forKey: .ports) ?? []
        image = try c.decodeIfPresent(String.self, forKey: .image) ?? ""
        exitCode = try c.decodeIfPresent(Int.self, forKey: .exitCode) ?? 0
        startedAt = Self.unixDate(try c.decodeIfPresent(Int64.self, forKey: .startedAt))
        exitedAt = Self.unixDate(try c.decodeIfPresent(Int64.self, forKey: .exitedAt))
    }

    /// Podman reports "never" as 0 or as Go's zero time (a large negative number).
    private static func unixDate(_ seconds: Int64?) -> Date? {
        guard let seconds, seconds > 0 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
