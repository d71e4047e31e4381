import Foundation
import Synchronization
import Testing
@testable import PvdifyControllers

/// A probe whose answer the test switches, counting its checks.
final class SwitchableProbe: HealthProbe {
    let failure = Mutex<String?>(nil)
    let checks = Mutex(0)

    func check(port: Int, path: String, timeout: Duration) async -> String? {
        checks.withLock { $0 += 1 }
        return failure.withLock { $0 }
    }
}

@Suite struct HealthSchedulerTests {
    @Test func passingChecksWakeNobodyAndAFailingOneQueuesItsApp() async throws {
        let probe = SwitchableProbe()
        let scheduler = HealthScheduler(probe: probe)
        let woken = Mutex<[String]>([])
        let loop = Task { await scheduler.run { app in woken.withLock { $0.append(app) } } }
        defer { loop.cancel() }
        await scheduler.record("web-1", failure: nil, at: .now)
        await scheduler.schedule(app: "web", [
            "web-1": .init(app: "web", port: 10_001, path: "/", interval: .milliseconds(50), timeout: .seconds(1))
        ])
        try await eventually { probe.checks.withLock { $0 } >= 3 }
        #expect(woken.withLock { $0 }.isEmpty)
        #expect(await scheduler.records(["web-1"])["web-1"]?.failures == 0)

        probe.failure.withLock { $0 = "answered 500" }
        try await eventually { woken.withLock { $0 }.count >= 3 }
        #expect(Set(woken.withLock { $0 }) == ["web"])
        let record = try #require(await scheduler.records(["web-1"])["web-1"])
        #expect(record.failures >= 3)
        #expect(record.lastFailure == "answered 500")

        // An instance no longer scheduled is no longer checked.
        await scheduler.schedule(app: "web", [:])
        try await Task.sleep(for: .milliseconds(100))
        let checks = probe.checks.withLock { $0 }
        try await Task.sleep(for: .milliseconds(300))
        #expect(probe.checks.withLock { $0 } == checks)
    }
}
