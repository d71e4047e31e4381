import Foundation
import NIOConcurrencyHelpers

/// A launched child process whose exit can be awaited; a thin wrapper over Foundation's `Process`.
final class ChildProcess: @unchecked Sendable {
    // `Process` is not Sendable; after launch it is only read through its thread-safe accessors.
    private let process = Process()
    private let exit = NIOLockedValueBox(Exit())

    private struct Exit {
        var status: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
    }

    /// Launches `executable` with `arguments`, stdout and stderr appended to `output` (or discarded).
    init(executable: URL, arguments: [String], output: URL?) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let handle = try output.map(Self.appending) ?? FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        let exit = self.exit
        process.terminationHandler = { process in
            let status = process.terminationStatus
            let waiters = exit.withLockedValue { state in
                state.status = status
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }
        try process.run()
        if handle !== FileHandle.nullDevice { try? handle.close() }
    }

    /// The child's process id.
    var pid: Int32 { process.processIdentifier }

    /// Sends a signal to the child (SIGTERM by default), if it has not exited.
    func signal(_ signal: Int32 = SIGTERM) {
        if exit.withLockedValue({ $0.status == nil }) { kill(pid, signal) }
    }

    /// Waits until the child exits and returns its status. Not cancellable: signal the child first.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = exit.withLockedValue { state -> Int32? in
                if state.status == nil { state.waiters.append(continuation) }
                return state.status
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    private static func appending(_ url: URL) throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        return handle
    }
}
