import Foundation
import Logging
import PvdifyDrivers
import Testing

/// Runs a real `podman system service` under `PodmanService` (only where Podman works, as signalled
/// by `PVDIFY_PODMAN_SOCKET`; the service under test uses its own socket in a temporary folder).
@Suite(.enabled(if: Integration.socketPath != nil, "needs PVDIFY_PODMAN_SOCKET"))
struct PodmanServiceIntegrationTests {
    @Test func startsRestartsAndStopsTheService() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(Integration.uniqueName("pvdify-svc"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = PodmanSocket.resolve(configured: nil, dataDirectory: directory) { _ in false }
        #expect(socket == .managed(path: directory.appendingPathComponent("podman.sock").path))

        let client = PodmanClient(socketPath: socket.path)
        let service = PodmanService(
            socket: socket, client: client, logger: Logger(label: "podman-service-test"),
            logFile: directory.appendingPathComponent("podman-service.log"))
        let supervisor = Task { try await service.run() }

        try await client.waitUntilReachable(timeout: .seconds(30))
        let first = try #require(service.childPID)
        #expect(service.startCount == 1)

        kill(first, SIGKILL)
        try await waitFor(seconds: 30) { service.childPID != nil && service.childPID != first }
        try await client.waitUntilReachable(timeout: .seconds(30))
        #expect(service.startCount == 2)
        let second = try #require(service.childPID)

        supervisor.cancel()
        try await supervisor.value
        #expect(service.childPID == nil)
        #expect(kill(second, 0) != 0)  // the child is gone
        #expect(await !client.isReachable())
        try await client.shutdown()
    }

    private func waitFor(seconds: Double, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw Integration.TimedOut(seconds: seconds) }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
