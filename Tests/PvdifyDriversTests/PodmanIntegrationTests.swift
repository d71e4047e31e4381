import AsyncHTTPClient
import Foundation
import PvdifyTestSupport
import NIOConcurrencyHelpers
import PvdifyDrivers
import Testing

/// Drives a real Podman through its socket. The caller starts the service and the test registry:
/// `hack/test-image.sh; podman system service --time=0 unix:///tmp/pvdify-podman-test.sock &`
/// then runs with `PVDIFY_PODMAN_SOCKET=/tmp/pvdify-podman-test.sock`.
@Suite(.enabled(if: Integration.socketPath != nil, "needs PVDIFY_PODMAN_SOCKET"), .serialized)
struct PodmanIntegrationTests {
    @Test func containerLifecycle() async throws {
        let client = PodmanClient(socketPath: Integration.socketPath!)
        let name = Integration.uniqueName("pvdify-drivers-it")
        do {
            try await lifecycle(client, name: name)
        } catch {
            try? await client.remove(name, force: true)
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    private func lifecycle(_ client: PodmanClient, name: String) async throws {
        try await client.ping()
        let testStart = Date()

        let progress = NIOLockedValueBox<[String]>([])
        let imageID = try await client.pullImage(Integration.image, tlsVerify: false, policy: .always) { line in
            progress.withLockedValue { $0.append(line) }
        }
        #expect(!imageID.isEmpty)
        #expect(progress.withLockedValue { $0 }.contains { $0.contains("Trying to pull") })

        let run = Integration.uniqueName("run")
        let port = try Loopback.freePort()
        let spec = ContainerSpec(
            name: name, image: Integration.image, env: ["GREETING": "hello from \(run)"],
            labels: ["pvdify.test.run": run, "pvdify.process": "web"], ports: [.init(hostPort: port, containerPort: 3000)],
            memoryBytes: 64 * 1024 * 1024, cpus: 0.5, stopTimeout: 5)
        let id = try await client.createContainer(spec)
        #expect(!id.isEmpty)
        await #expect { try await client.createContainer(spec) } throws: { ($0 as? PodmanError)?.isNameInUse == true }

        try await client.start(name)
        try await client.start(name)  // already running: 304, not an error

        let listed = try await client.listContainers(labelFilters: ["pvdify.test.run=\(run)"])
        #expect(listed.map(\.name) == [name])
        #expect(listed.first?.isRunning == true)
        #expect(listed.first?.hostPorts == [port])
        #expect(listed.first?.ports.first?.hostIP == "127.0.0.1")
        #expect(listed.first?.labels["pvdify.process"] == "web")
        #expect(listed.first?.id == id)
        #expect(try await client.listContainers(labelFilters: ["pvdify.test.run=\(run)-other"]).isEmpty)

        let started = try await Integration.first(
            of: client.events(labelFilters: ["pvdify.test.run=\(run)"], since: testStart), within: 15
        ) { $0.action == "start" && $0.name == name }
        #expect(started.actor.id == id)
        #expect(started.actor.attributes["pvdify.process"] == "web")

        let listening = try await Integration.first(of: client.logs(name, follow: true, timestamps: true), within: 15) {
            $0.text.contains("listening on 3000")
        }
        #expect(listening.stream == .stdout)
        #expect(listening.timestamp != nil)

        let page = try await get("http://127.0.0.1:\(port)/")
        #expect(page.contains("hello from \(run)"))
        #expect(page.contains("version: 1"))

        let inspection = try await client.inspect(name)
        #expect(inspection.state.running)
        #expect(inspection.labels["pvdify.test.run"] == run)

        let clock = ContinuousClock()
        let stopTime = try await clock.measure { try await client.stop(name, timeout: 5) }
        #expect(stopTime < .seconds(4))
        try await client.stop(name, timeout: 5)  // already stopped: 304, not an error
        let stopped = try await client.inspect(name)
        #expect(!stopped.state.running)
        #expect(stopped.state.finishedAt != nil)

        let tail = try await collect(client.logs(name, follow: false, tail: 1))
        #expect(tail.count == 1)

        try await client.remove(name, force: true)
        await #expect { try await client.inspect(name) } throws: { ($0 as? PodmanError)?.isNotFound == true }
        await #expect { try await client.remove(name) } throws: { ($0 as? PodmanError)?.isNotFound == true }
    }

    @Test func pullingAMissingImageThrows() async throws {
        let client = PodmanClient(socketPath: Integration.socketPath!)
        let missing = "127.0.0.1:5000/pvdify-test:missing-\(UUID().uuidString.prefix(8).lowercased())"
        await #expect {
            try await client.pullImage(missing, tlsVerify: false)
        } throws: { error in
            guard let error = error as? PodmanError else { return false }
            return error.status == 200 && error.isImageNotFound
        }
        try await client.shutdown()
    }

    @Test func unknownContainersAndImagesAreNotFound() async throws {
        let client = PodmanClient(socketPath: Integration.socketPath!)
        let name = Integration.uniqueName("pvdify-drivers-none")
        await #expect { try await client.start(name) } throws: { ($0 as? PodmanError)?.isNotFound == true }
        await #expect {
            try await client.createContainer(ContainerSpec(name: name, image: "127.0.0.1:5000/pvdify-none:v0"))
        } throws: { ($0 as? PodmanError)?.isImageNotFound == true }
        try await client.shutdown()
    }

    private func collect(_ lines: AsyncThrowingStream<LogLine, any Error>) async throws -> [LogLine] {
        var all: [LogLine] = []
        for try await line in lines { all.append(line) }
        return all
    }

    /// GET on a loopback URL, retried for a few seconds while the server starts.
    private func get(_ url: String) async throws -> String {
        var lastError: (any Error)?
        for _ in 0..<50 {
            do {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2))
                let body = try await response.body.collect(upTo: 1 << 20)
                if response.status == .ok { return String(buffer: body) }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw lastError ?? Integration.TimedOut(seconds: 5)
    }
}
