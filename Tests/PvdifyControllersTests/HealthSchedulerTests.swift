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

/// Health records of containers removed behind pvdifyd's back do not pile up.
@Suite struct HealthRecordForgettingTests {
    /// The name of one running web instance of app `web`.
    func webInstance(_ runtime: FakeRuntime) throws -> String {
        try #require(runtime.state.withLock { $0.containers.values.first { $0.process == "web" && $0.running }?.name })
    }

    @Test func aContainerRemovedByHandIsForgottenOnItsEvent() async throws {
        try await withStore { store in
            let runtime = FakeRuntime()
            let reconciler = makeReconciler(store, runtime)
            try await deployedApp(store, reconciler)
            let web = try webInstance(runtime)
            #expect(await reconciler.health.records([web])[web]?.passed == true)

            let events = Task { for await _ in reconciler.eventTrigger() {} }
            defer { events.cancel() }
            // The trigger subscribes after its first list; wait for it before removing by hand.
            try await eventually { runtime.state.withLock { !$0.subscribers.isEmpty } }
            try await runtime.remove(web, timeout: 0)
            try await eventually { await reconciler.health.records([web])[web] == nil }
        }
    }

    @Test func aContainerRemovedWhileEventsWereMissedIsForgottenAtResync() async throws {
        try await withStore { store in
            let runtime = FakeRuntime()
            let reconciler = makeReconciler(store, runtime)
            try await deployedApp(store, reconciler)
            let web = try webInstance(runtime)
            let before = await reconciler.health.recordCount
            #expect(await reconciler.health.records([web])[web] != nil)

            // Gone without an event reaching pvdifyd; the next resync's list notices.
            _ = runtime.state.withLock { $0.containers.removeValue(forKey: web) }
            _ = try await reconciler.resyncKeys()
            #expect(await reconciler.health.records([web])[web] == nil)
            #expect(await reconciler.health.recordCount == before - 1)
        }
    }

    @Test func retainOnlyDropsRecordsAndTargetsOfAbsentInstances() async {
        let scheduler = HealthScheduler(probe: SwitchableProbe())
        await scheduler.record("web-1", failure: nil, at: .now)
        await scheduler.record("web-2", failure: nil, at: .now)
        await scheduler.schedule(app: "web", [
            "web-1": .init(app: "web", port: 10_001, path: "/", interval: .seconds(5), timeout: .seconds(1)),
            "web-2": .init(app: "web", port: 10_002, path: "/", interval: .seconds(5), timeout: .seconds(1)),
        ])
        await scheduler.retainOnly(["web-2"])
        #expect(await scheduler.recordCount == 1)
        #expect(await scheduler.records(["web-1", "web-2"]).keys.sorted() == ["web-2"])
    }
}
