import Foundation
import Logging
import NIOConcurrencyHelpers

/// Keeps a Podman API service running on a `.managed` socket: starts
/// `podman system service --time=0 unix://<socket>`, waits until it answers `_ping`, and
/// restarts it (with backoff) when it dies. For an `.external` socket it only waits.
///
/// `run()` returns when its task is cancelled, after stopping the child. To use it as a
/// swift-service-lifecycle `Service`, wrap it: `try await cancelWhenGracefulShutdown { try await service.run() }`.
public final class PodmanService: Sendable {
    /// The socket it serves or uses.
    public let socket: PodmanSocket
    private let client: PodmanClient
    private let logger: Logger
    private let logFile: URL?
    private let executable: URL?
    private let state = NIOLockedValueBox(State())

    private struct State {
        var pid: Int32?
        var starts = 0
    }

    /// A supervisor for `socket`, pinging through `client`; the child's output is appended to
    /// `logFile`. `executable` defaults to `podman` found on `PATH`.
    public init(socket: PodmanSocket, client: PodmanClient, logger: Logger, logFile: URL? = nil, executable: URL? = nil) {
        self.socket = socket
        self.client = client
        self.logger = logger
        self.logFile = logFile
        self.executable = executable ?? Self.findOnPath("podman")
    }

    /// The running child's process id, if it runs one now.
    public var childPID: Int32? { state.withLockedValue { $0.pid } }

    /// How often it has started the child.
    public var startCount: Int { state.withLockedValue { $0.starts } }

    /// Supervises until cancelled.
    public func run() async throws {
        guard case .managed(let path) = socket else {
            logger.info("using the podman socket", metadata: ["socket": "\(socket.path)"])
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            return
        }
        let backoff = Backoff(base: .seconds(1), cap: .seconds(30))
        var failures = 0
        while !Task.isCancelled {
            if await client.isReachable() {
                try? await watchAdopted(path)
                continue
            }
            let started = ContinuousClock.now
            do {
                try await superviseChild(path)
            } catch {
                logger.error("podman service failed to start", metadata: ["error": "\(error)"])
            }
            if Task.isCancelled { break }
            // A service that ran a while starts the count again.
            failures = ContinuousClock.now - started > .seconds(60) ? 1 : failures + 1
            let delay = backoff.delay(attempt: failures)
            logger.warning("restarting the podman service", metadata: ["in": "\(delay)"])
            try? await Task.sleep(for: delay)
        }
    }

    /// A service already answers on the socket (left by an earlier pvdifyd): use it while it lives.
    private func watchAdopted(_ path: String) async throws {
        logger.notice("a podman service already answers; using it", metadata: ["socket": "\(path)"])
        while await client.isReachable() { try await Task.sleep(for: .seconds(2)) }
        logger.warning("the podman service stopped answering", metadata: ["socket": "\(path)"])
    }

    /// Starts the child, waits for `_ping`, then waits for it to exit (or stops it on cancellation).
    private func superviseChild(_ path: String) async throws {
        guard let executable else { throw PodmanError(status: 0, cause: "podman not found", message: "no podman on PATH") }
        try? FileManager.default.removeItem(atPath: path)  // a stale socket file blocks the bind
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let child = try ChildProcess(
            executable: executable, arguments: ["system", "service", "--time=0", "unix://" + path], output: logFile)
        state.withLockedValue {
            $0.pid = child.pid
            $0.starts += 1
        }
        defer { state.withLockedValue { $0.pid = nil } }
        logger.info("podman service started", metadata: ["pid": "\(child.pid)", "socket": "\(path)"])
        let status = await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.announceReady(path) }
                let status = await child.waitForExit()
                group.cancelAll()
                return status
            }
        } onCancel: {
            child.signal(SIGTERM)
            Task {
                try? await Task.sleep(for: .seconds(10))
                child.signal(SIGKILL)
            }
        }
        logger.log(level: Task.isCancelled ? .info : .warning, "podman service exited", metadata: ["status": "\(status)"])
    }

    private func announceReady(_ path: String) async {
        if (try? await client.waitUntilReachable(timeout: .seconds(30))) != nil {
            logger.info("podman service ready", metadata: ["socket": "\(path)"])
        } else if !Task.isCancelled {
            logger.error("podman service did not answer within 30s", metadata: ["socket": "\(path)"])
        }
    }

    private static func findOnPath(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin"] {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
