import Foundation
import Testing

/// A part of pvdifyd that fails makes the whole daemon exit non-zero, saying why, instead of
/// lingering half alive.
@Suite struct DaemonFailureTests {
    @Test func aTakenListenPortMakesPvdifydExitNonZeroAndSayWhy() async throws {
        let (listener, port) = try Self.listenOnFreePort()
        defer { close(listener) }
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdifyd-taken-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let output = dataDirectory.appendingPathComponent("output.log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }

        let process = Process()
        process.executableURL = DaemonProcess.binary
        process.arguments = [
            "--listen", "127.0.0.1:\(port)", "--data-dir", dataDirectory.path, "--podman-socket", "off", "--caddy-admin", "off",
        ]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // Generous: the daemon is meant to be gone within 5 s; a slow machine gets more.
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(!process.isRunning, "pvdifyd still runs with its port taken:\n\(log)")
        guard !process.isRunning else { return }
        #expect(process.terminationStatus != 0)
        #expect(log.contains("the API server on 127.0.0.1:\(port) failed: address already in use"), "\(log)")
    }

    /// A bound, listening loopback socket that answers nothing, on a port the kernel chose.
    static func listenOnFreePort() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw DaemonError(message: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw DaemonError(message: "bind or listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}
