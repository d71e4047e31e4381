import Foundation

/// Where pvdifyd reaches Podman, and whether it must run the service itself.
public enum PodmanSocket: Sendable, Equatable {
    /// A socket someone else serves: the configured one, or the system's.
    case external(path: String)
    /// A socket pvdifyd serves itself with `podman system service` (see `PodmanService`).
    case managed(path: String)

    /// The system socket that `podman.socket` (systemd) serves.
    public static let systemPath = "/run/podman/podman.sock"
    /// The socket's file name inside pvdifyd's data directory when pvdifyd runs the service.
    public static let managedFileName = "podman.sock"

    /// The configured socket (`unix://` prefix allowed) if any; else the system socket if it
    /// exists; else a socket in the data directory that pvdifyd will serve.
    public static func resolve(
        configured: String?, dataDirectory: URL,
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> PodmanSocket {
        if let configured, !configured.isEmpty {
            return .external(path: configured.hasPrefix("unix://") ? String(configured.dropFirst(7)) : configured)
        }
        if fileExists(systemPath) { return .external(path: systemPath) }
        return .managed(path: dataDirectory.appendingPathComponent(managedFileName).path)
    }

    /// The socket's path.
    public var path: String {
        switch self {
        case .external(let path), .managed(let path): path
        }
    }
}
