// 500 deploys of one app (two web instances) in a loop through the real container reconciler and
// runner on an in-memory fake container runtime, with the on-disk log store: pvdifyd's resident
// memory after 20 warm-up deploys and after all of them, so growth per deploy shows. Run by
// `hack/bench-soak.sh`. Bounded: stops after the last deploy or a 10 minute deadline.
import Foundation
import Logging
import PvdifyControllers
import PvdifyDrivers
import PvdifyModel
import PvdifyStore
import Synchronization

/// Containers in memory; every container runs as soon as it is started and writes nothing.
final class MemoryRuntime: ContainerRuntime {
    let containers = Mutex<[String: ObservedContainer]>([:])

    func list(app: String?) async throws -> [ObservedContainer] {
        containers.withLock { $0.values.filter { app == nil || $0.app == app } }
    }
    func publishedHostPorts() async throws -> Set<Int> {
        containers.withLock { Set($0.values.compactMap(\.hostPort)) }
    }
    func pull(_ image: String, insecure: Bool, progress: @escaping @Sendable (String) -> Void) async throws {}
    func create(_ spec: ContainerSpec) async throws -> String? {
        let labels = spec.labels
        let container = ObservedContainer(
            name: spec.name, app: labels[ContainerLabels.app]!, process: labels[ContainerLabels.process]!,
            index: Int(labels[ContainerLabels.index]!)!, release: Int(labels[ContainerLabels.release]!)!,
            specHash: labels[ContainerLabels.specHash]!, hostPort: labels[ContainerLabels.hostPort].flatMap(Int.init), running: false)
        containers.withLock { $0[spec.name] = container }
        return spec.name
    }
    func start(_ name: String) async throws {
        containers.withLock {
            $0[name]?.running = true
            $0[name]?.startedAt = Date().addingTimeInterval(-60)
        }
    }
    func remove(_ name: String, timeout: Int) async throws { containers.withLock { $0[name] = nil } }
    func follow(_ name: String, since: Date?) -> AsyncThrowingStream<PvdifyDrivers.LogLine, any Error> {
        AsyncThrowingStream { $0.finish() }
    }
    func events(since: Date?) -> AsyncThrowingStream<ContainerEvent, any Error> { AsyncThrowingStream { _ in } }
}

struct AlwaysHealthy: HealthProbe {
    func check(port: Int, path: String, timeout: Duration) async -> String? { nil }
}

func residentKiB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

let deploys = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 500
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-soak-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: directory) }
var logger = Logger(label: "soak")
logger.logLevel = .error
let store = try Store(dataDirectory: directory, secrets: try SecretBox.load(dataDirectory: directory, environmentKey: nil))
let logs = AppLogs(directory: directory.appendingPathComponent("logs"))
let reconciler = ContainerReconciler(
    store: store, runtime: MemoryRuntime(), logs: logs, probe: AlwaysHealthy(), drainPeriod: 0, workerSettleTime: 0,
    portRange: 20_000...20_999, logger: logger)
let runner = ControllerRunner(reconciler: reconciler, workers: 2, resyncInterval: .seconds(5), logger: logger)
let running = Task { try await runner.run() }
_ = try await store.createApp(name: "soak", environment: .production)
_ = try await store.updateSpec("soak") { $0.processes["web"]?.count = 2 }

let started = ContinuousClock.now
var before = 0
for version in 1...deploys {
    if version == 21 { before = residentKiB() }
    _ = try await store.createRelease("soak", image: "127.0.0.1:5000/soak:v\(version)", by: "soak")
    logs.append("soak", LogLine(process: "api", message: "Release v\(version) created by soak"))
    await runner.enqueue("soak")
    while try await store.release("soak", version: version).status != .active {
        guard ContinuousClock.now - started < .seconds(600) else { fatalError("deploy \(version) did not finish in time") }
        try await Task.sleep(for: .milliseconds(2))
    }
}
let elapsed = ContinuousClock.now - started
let after = residentKiB()
running.cancel()
_ = try? await running.value
print("soak: \(deploys) deploys of one app (2 web instances), fake runtime, real reconciler, runner and log store")
print(String(format: "  took %.1f s (%.0f ms per deploy)", Double(elapsed.components.seconds), Double(elapsed.components.seconds) * 1000 / Double(deploys)))
print("  resident memory after 20 deploys: \(before / 1024) MiB (\(before) KiB)")
print("  resident memory after \(deploys) deploys: \(after / 1024) MiB (\(after) KiB), \(after - before) KiB more")
