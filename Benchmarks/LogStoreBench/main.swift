// How many lines a second pvdifyd's log store keeps up with: several chatty writers appending at
// once, kept on disk (the daemon's way) against the same store in memory only (the baseline, in
// the same run); then how long a restart takes to read an app's 10,000 lines back and how long
// `lines(limit: 10000)` takes. Run by `hack/bench-logs.sh`.
import Foundation
import PvdifyStore

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let writers = arguments.count > 0 ? arguments[0] : 8
let apps = arguments.count > 1 ? arguments[1] : 4
let linesPerWriter = arguments.count > 2 ? arguments[2] : 50_000
let message = String(repeating: "x", count: 80)
let root = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-logbench-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: root) }

/// Lines per second with `writers` tasks appending `linesPerWriter` lines each.
func appendRate(_ logs: AppLogs) async -> Double {
    let started = ContinuousClock.now
    await withTaskGroup(of: Void.self) { group in
        for writer in 0..<writers {
            group.addTask {
                let app = "app\(writer % apps)", source = "pvdify-app-web-\(writer)-abc", process = "web.\(writer)"
                for number in 0..<linesPerWriter {
                    logs.append(app, LogLine(process: process, message: "\(number) \(message)"), source: source)
                }
            }
        }
    }
    let elapsed = ContinuousClock.now - started
    return Double(writers * linesPerWriter) / (Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
}

func milliseconds(_ body: () -> Void) -> Double {
    let started = ContinuousClock.now
    body()
    let elapsed = ContinuousClock.now - started
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}

let memory = await appendRate(AppLogs(capacity: 10_000))
let disk = await appendRate(AppLogs(directory: root, capacity: 10_000))
print("log store: \(writers) writers on \(apps) apps, \(writers * linesPerWriter) lines of about \(message.count + 6) bytes")
print(String(format: "  memory only (baseline): %10.0f lines/s", memory))
print(String(format: "  on disk (pvdifyd):      %10.0f lines/s (%.0f %% of the baseline)", disk, disk / memory * 100))
var restarted: AppLogs!
var read: [LogLine] = []
let load = milliseconds {
    restarted = AppLogs(directory: root, capacity: 10_000)
    read = restarted.lines("app0", limit: 10_000)
}
let warm = (0..<20).map { _ in milliseconds { read = restarted.lines("app0", limit: 10_000) } }.sorted()[10]
print(String(format: "  after a restart, first read of one app's %d lines (from disk): %.1f ms", read.count, load))
print(String(format: "  lines(limit: 10000) from memory, median of 20: %.2f ms", warm))
