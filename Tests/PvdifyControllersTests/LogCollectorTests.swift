import Foundation
import PvdifyDrivers
import PvdifyStore
import Synchronization
import Testing
@testable import PvdifyControllers

/// A runtime whose containers have written given lines; `follow` replays them like Podman does:
/// from the start of `since`'s second (Podman's `since` is coarse), then ends.
final class ScriptedLogRuntime: ContainerRuntime {
    let written = Mutex<[String: [(Date, String)]]>([:])
    let follows = Mutex<[Date?]>([])

    func list(app: String?) async throws -> [ObservedContainer] { [] }
    func publishedHostPorts() async throws -> Set<Int> { [] }
    func pull(_ image: String, insecure: Bool, progress: @escaping @Sendable (String) -> Void) async throws {}
    func create(_ spec: ContainerSpec) async throws -> String? { nil }
    func start(_ name: String) async throws {}
    func remove(_ name: String, timeout: Int) async throws {}
    func events(since: Date?) -> AsyncThrowingStream<ContainerEvent, any Error> { AsyncThrowingStream { _ in } }

    func follow(_ name: String, since: Date?) -> AsyncThrowingStream<PvdifyDrivers.LogLine, any Error> {
        follows.withLock { $0.append(since) }
        let from = since.map { $0.timeIntervalSince1970.rounded(.down) } ?? 0
        let lines = written.withLock { $0[name] ?? [] }.filter { $0.0.timeIntervalSince1970 >= from }
        return AsyncThrowingStream { continuation in
            for (date, text) in lines { continuation.yield(.init(stream: .stdout, timestamp: date, text: text)) }
            continuation.finish()
        }
    }
}

@Suite struct LogCollectorTests {
    let container = ObservedContainer(
        name: "pvdify-shop-web-1-abc", app: "shop", process: "web", index: 1, release: 1, specHash: "abc", hostPort: nil, running: true)

    /// Lines stamped to the whole second, four a second, like Podman's: many share a timestamp.
    func lines(_ range: ClosedRange<Int>) -> [(Date, String)] {
        range.map { (Date(timeIntervalSince1970: 1_767_261_600 + Double($0 / 4)), "line \($0)") }
    }

    func collect(_ collector: LogCollector, _ logs: AppLogs, until count: Int) async throws {
        let run = Task { try await collector.run() }
        defer { run.cancel() }
        await collector.ensureFollowing([container])
        for _ in 0..<200 where logs.lines("shop", limit: 10_000).count < count {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func aStreamResumedAfterARestartRepeatsNoLineAndLosesNone() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-collector-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let runtime = ScriptedLogRuntime()
        // Before the "kill": the container had written 10 lines (line 10 is mid-second).
        runtime.written.withLock { $0[container.name] = lines(1...10) }
        let before = AppLogs(directory: directory)
        try await collect(LogCollector(runtime: runtime, logs: before), before, until: 10)
        #expect(before.lines("shop", limit: 100).map(\.message) == (1...10).map { "line \($0)" })

        // The container went on writing while pvdifyd was down; a new pvdifyd reads the disk.
        runtime.written.withLock { $0[container.name] = lines(1...30) }
        let after = AppLogs(directory: directory)
        try await collect(LogCollector(runtime: runtime, logs: after), after, until: 30)
        let messages = after.lines("shop", limit: 100).map(\.message)
        #expect(messages == (1...30).map { "line \($0)" })
        #expect(after.lines("shop", limit: 100).allSatisfy { $0.process == "web.1" })
        // The second stream asked from the whole second of the last kept line.
        let since = try #require(runtime.follows.withLock { $0.last } ?? nil)
        #expect(since == Date(timeIntervalSince1970: 1_767_261_602))
    }

    @Test func repeatedMessagesAtTheBoundaryAreKeptAsOftenAsWritten() async throws {
        let runtime = ScriptedLogRuntime()
        let second = Date(timeIntervalSince1970: 1_767_261_600)
        runtime.written.withLock { $0[container.name] = [(second, "GET /health"), (second, "GET /health")] }
        let logs = AppLogs()
        try await collect(LogCollector(runtime: runtime, logs: logs), logs, until: 2)
        runtime.written.withLock { $0[container.name] = Array(repeating: (second, "GET /health"), count: 3) }
        try await collect(LogCollector(runtime: runtime, logs: logs), logs, until: 3)
        try await Task.sleep(for: .milliseconds(100))
        #expect(logs.lines("shop", limit: 100).count == 3)
    }

    @Test func followersEndWithTheServiceAndWhenTheirContainerGoes() async throws {
        let runtime = ScriptedLogRuntime()
        let collector = LogCollector(runtime: runtime, logs: AppLogs())
        await collector.ensureFollowing([container])
        #expect(collector.followedCount == 1)
        await collector.forget(container.name)
        #expect(collector.followedCount == 0)
        await collector.ensureFollowing([container])
        let run = Task { try await collector.run() }
        run.cancel()
        try await run.value
        #expect(collector.followedCount == 0)
    }
}
