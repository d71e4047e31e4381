import Foundation
import Logging
import PvdifyControllers
import PvdifyModel
import PvdifyStore

// A no-op resync of the container and route reconcilers over N converged apps (one web instance
// each), with a fake runtime and a fake Caddy over a real SQLite store: how many list calls,
// mutating calls and status writes it makes, and how long it takes.

let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }

func median(_ values: [Duration]) -> Duration { values.sorted()[values.count / 2] }

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

/// One table row: columns padded to the header's widths.
func row(_ cells: [String]) -> String {
    zip(cells, [6, 12, 11, 15, 18, 15, 11, 9]).map { cell, width in cell.padding(toLength: max(width, cell.count + 1), withPad: " ", startingAt: 0) }
        .joined()
}

func number(_ value: Double) -> String { String(format: "%.1f", value) }

print(row(["apps", "list_calls", "mutations", "status_writes", "container_passes", "containers_ms", "routes_ms", "total_ms"]))
for size in sizes.isEmpty ? [100, 1000, 5000] : sizes {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try Store(dataDirectory: directory, secrets: try SecretBox.load(dataDirectory: directory, environmentKey: nil))
    let runtime = BenchRuntime()
    let caddy = BenchCaddy()
    let containers = ContainerReconciler(
        store: store, runtime: runtime, logs: AppLogs(), probe: AlwaysHealthy(), drainPeriod: 0, workerSettleTime: 0,
        routingEnabled: true, logger: logger)
    let routes = RouteReconciler(store: store, caddy: caddy, settings: RouteSettings(tls: .off), logger: logger)

    // N apps with a release each, written in batches of one transaction.
    let names = (1...size).map { String(format: "app%05d", $0) }
    for batch in stride(from: 0, to: names.count, by: 500) {
        let manifests = names[batch..<min(batch + 500, names.count)].map { name in
            AppManifest(name: name, spec: AppSpec(image: "127.0.0.1:5000/bench:v1"), domains: [], config: [:], secrets: [])
        }
        _ = try await store.applyManifests(manifests, by: "bench", dryRun: false)
    }

    // Converge: every app rolled out and routed, every pass done.
    var pending = Set(names)
    for _ in 0..<20 where !pending.isEmpty {
        for name in pending.sorted() where try await containers.reconcile(name) == .done { pending.remove(name) }
        _ = try await routes.reconcile(RouteReconciler.key)
    }
    for name in names { _ = try await containers.reconcile(name) }
    _ = try await routes.reconcile(RouteReconciler.key)
    guard pending.isEmpty else { fatalError("\(pending.count) apps did not converge") }

    // Measure five no-op resyncs; report the median time and the calls of all five.
    let lists = runtime.lists, mutations = runtime.mutations, writes = store.statusWriteCount, caddyWrites = caddy.writes
    var containerTimes: [Duration] = [], routeTimes: [Duration] = [], passes = 0
    let rounds = 5
    for _ in 0..<rounds {
        let clock = ContinuousClock()
        let start = clock.now
        let keys = try await containers.resyncKeys()
        for key in keys { _ = try await containers.reconcile(key) }
        passes += keys.count
        let middle = clock.now
        for key in try await routes.resyncKeys() { _ = try await routes.reconcile(key) }
        let end = clock.now
        containerTimes.append(middle - start)
        routeTimes.append(end - middle)
    }
    let containerTime = median(containerTimes), routeTime = median(routeTimes)
    let perRound = Double(rounds)
    print(row([
        "\(size)", number(Double(runtime.lists - lists) / perRound),
        number(Double(runtime.mutations - mutations + caddy.writes - caddyWrites) / perRound),
        number(Double(store.statusWriteCount - writes) / perRound), number(Double(passes) / perRound),
        number(milliseconds(containerTime)), number(milliseconds(routeTime)), number(milliseconds(containerTime + routeTime)),
    ]))
    try store.close()
}
