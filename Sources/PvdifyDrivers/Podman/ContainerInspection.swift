import Foundation

/// The parts of `GET /containers/{name}/json` pvdify reads.
public struct ContainerInspection: Sendable, Equatable, Decodable {
    /// The container's runtime state.
    public struct State: Sendable, Equatable, Decodable {
        /// `created`, `running`, `exited`, ...
        public let status: String
        /// Whether it runs now.
        public let running: Bool
        /// The exit code of its last run.
        public let exitCode: Int
        /// Whether the kernel's OOM killer ended it.
        public let oomKilled: Bool
        /// Why it failed to start, if it did.
        public let error: String
        /// Its main process id on the host (0 when not running).
        public let pid: Int
        /// When it last started, or nil if it never did.
        public let startedAt: Date?
        /// When it last exited, or nil if it never did.
        public let finishedAt: Date?

        enum CodingKeys: String, CodingKey {
            case status = "Status", running = "Running", exitCode = "ExitCode", oomKilled = "OOMKilled"
            case error = "Error", pid = "Pid", startedAt = "StartedAt", finishedAt = "FinishedAt"
        }

        /// Decodes the state; Go's zero time (`0001-01-01T00:00:00Z`) becomes nil.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            status = try c.decodeIfPresent(String.self, forKey: .status) ?? ""
            running = try c.decodeIfPresent(Bool.self, forKey: .running) ?? false
            exitCode = try c.decodeIfPresent(Int.self, forKey: .exitCode) ?? 0
            oomKilled = try c.decodeIfPresent(Bool.self, forKey: .oomKilled) ?? false
            error = try c.decodeIfPresent(String.self, forKey: .error) ?? ""
            pid = try c.decodeIfPresent(Int.self, forKey: .pid) ?? 0
            startedAt = RFC3339.parseNonZero(try c.decodeIfPresent(String.self, forKey: .startedAt))
            finishedAt = RFC3339.parseNonZero(try c.decodeIfPresent(String.self, forKey: .finishedAt))
        }
    }

    private struct Config: Decodable {
        let Labels: [String: String]?
    }

    private struct HostConfig: Decodable {
        struct LogConfig: Decodable {
            let `Type`: String?
            let Path: String?
        }
        let LogConfig: LogConfig?
    }

    /// The full container id.
    public let id: String
    /// Its name.
    public let name: String
    /// The image reference it was created from.
    public let imageName: String
    /// Its runtime state.
    public let state: State
    /// Its labels.
    public let labels: [String: String]
    /// How often Podman restarted it.
    public let restartCount: Int
    /// Its log driver (`k8s-file`, `journald`, ...), empty when not reported.
    public let logDriver: String
    /// The file its output is written to (with `k8s-file`), empty when not reported.
    public let logPath: String

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", imageName = "ImageName", state = "State", config = "Config"
        case restartCount = "RestartCount", hostConfig = "HostConfig"
    }

    /// Decodes the inspect document.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        imageName = try c.decodeIfPresent(String.self, forKey: .imageName) ?? ""
        state = try c.decode(State.self, forKey: .state)
        labels = try c.decodeIfPresent(Config.self, forKey: .config)?.Labels ?? [:]
        restartCount = try c.decodeIfPresent(Int.self, forKey: .restartCount) ?? 0
        let log = try c.decodeIfPresent(HostConfig.self, forKey: .hostConfig)?.LogConfig
        logDriver = log?.Type ?? ""
        logPath = log?.Path ?? ""
    }
}
