import Foundation
import PvdifyDrivers

/// One pvdify container as a list call saw it, read from its labels.
public struct ObservedContainer: Sendable, Equatable {
    /// The runtime's id for it (nil when not known, as after a create that found the name taken).
    public var id: String?
    public var name: String
    public var app: String
    public var process: String
    public var index: Int
    public var release: Int
    public var specHash: String
    public var hostPort: Int?
    public var running: Bool
    public var exitCode: Int
    public var startedAt: Date?

    /// `web.1`: how logs and status name an instance.
    public var instance: String { "\(process).\(index)" }

    /// Created and never started: whoever created it stopped before starting it (a pvdifyd killed
    /// between the two calls). Not a crash: it has no exit code of its own to report.
    public var neverStarted: Bool { !running && startedAt == nil }

    public init(
        name: String, app: String, process: String, index: Int, release: Int, specHash: String, hostPort: Int?,
        running: Bool, exitCode: Int = 0, startedAt: Date? = nil, id: String? = nil
    ) {
        self.id = id
        self.name = name
        self.app = app
        self.process = process
        self.index = index
        self.release = release
        self.specHash = specHash
        self.hostPort = hostPort
        self.running = running
        self.exitCode = exitCode
        self.startedAt = startedAt
    }

    /// Reads a container's pvdify labels; nil when it lacks them (then it is not ours to manage).
    public init?(_ summary: ContainerSummary) {
        self.init(
            name: summary.name, labels: summary.labels, running: summary.isRunning, exitCode: summary.exitCode,
            startedAt: summary.startedAt, id: summary.id)
    }

    /// A container described by its pvdify labels (from a list, an event or a create); nil without them.
    public init?(name: String, labels: [String: String], running: Bool, exitCode: Int = 0, startedAt: Date? = nil, id: String? = nil) {
        guard let app = labels[ContainerLabels.app], let process = labels[ContainerLabels.process],
              let index = labels[ContainerLabels.index].flatMap(Int.init),
              let release = labels[ContainerLabels.release].flatMap(Int.init),
              let hash = labels[ContainerLabels.specHash]
        else { return nil }
        self.init(
            name: name, app: app, process: process, index: index, release: release, specHash: hash,
            hostPort: labels[ContainerLabels.hostPort].flatMap(Int.init), running: running,
            exitCode: exitCode, startedAt: startedAt, id: id)
    }
}
