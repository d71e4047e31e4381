import Foundation
import PvdifyModel
import Testing
@testable import PvdifyControllers

@Suite struct RolloutPlannerTests {
    let planner = RolloutPlanner(workerSettleTime: 10, drainPeriod: 2)
    let now = Date(timeIntervalSince1970: 2_000_000_000)

    func release(_ version: Int, _ status: ReleaseStatus) -> Release {
        Release(app: "app", version: version, image: "reg/app:v\(version)", configVersion: nil, status: status, createdAt: now, createdBy: "t")
    }

    func desired(target: Int?, serving: Int?, web: Int = 2, worker: Int = 0, hashSuffix: String = "") -> DesiredApp {
        var processes: [String: DesiredApp.Process] = ["web": .init(type: "web", count: web, command: nil, hash: "w\(target ?? 0)\(hashSuffix)")]
        if worker > 0 || hashSuffix == "keepworker" {
            processes["worker"] = .init(type: "worker", count: worker, command: "work", hash: "k\(target ?? 0)")
        }
        return DesiredApp(
            name: "app", generation: 5, bindPort: 3000, target: target.map { release($0, .deploying) },
            serving: serving.map { release($0, .active) }, env: [:], processes: processes, resources: Resources(),
            healthcheck: Healthcheck(deployTimeout: DurationText(milliseconds: 60_000)), failedNewest: nil)
    }

    func web(_ index: Int, release: Int, hash: String? = nil, running: Bool = true, port: Int, started: Date? = nil) -> ObservedContainer {
        ObservedContainer(
            name: "app-web-\(index)-\(hash ?? "w\(release)")", app: "app", process: "web", index: index, release: release,
            specHash: hash ?? "w\(release)", hostPort: port, running: running, exitCode: running ? 0 : 1, startedAt: started ?? now)
    }

    @Test func firstDeployCreatesEveryInstance() {
        let plan = planner.plan(desired(target: 1, serving: nil, web: 2, worker: 1), observed: [], facts: InstanceFacts(), now: now)
        #expect(plan.create == [.init(process: "web", index: 1), .init(process: "web", index: 2), .init(process: "worker", index: 1)])
        #expect(plan.phase == .deploying)
        #expect(plan.upstreams.isEmpty)
        #expect(!plan.rolloutComplete)
        #expect(plan.requeueAfter != nil)
    }

    @Test func rolloutKeepsOldServingUntilEveryNewInstanceIsHealthy() {
        let old = [web(1, release: 1, port: 41001), web(2, release: 1, port: 41002)]
        let new = [web(1, release: 2, port: 41003), web(2, release: 2, port: 41004)]
        var facts = InstanceFacts()
        facts.healthy = Set(old.map(\.name) + [new[0].name])
        let halfway = planner.plan(desired(target: 2, serving: 1), observed: old + new, facts: facts, now: now)
        #expect(halfway.create.isEmpty)
        #expect(halfway.retire.isEmpty)
        #expect(halfway.upstreams == [41001, 41002])
        #expect(!halfway.rolloutComplete)

        facts.healthy.insert(new[1].name)
        let done = planner.plan(desired(target: 2, serving: 1), observed: old + new, facts: facts, now: now)
        #expect(done.rolloutComplete)
        #expect(done.upstreams == [41003, 41004])
        #expect(Set(done.retire) == Set(old.map(\.name)))
        #expect(done.remove.isEmpty)  // drained first

        facts.retiringSince = Dictionary(uniqueKeysWithValues: old.map { ($0.name, now) })
        // With routing on, old instances wait until the router no longer sends them traffic.
        var routed = desired(target: 2, serving: 2)
        routed.routedPorts = [41001, 41002]
        let stillRouted = planner.plan(routed, observed: old + new, facts: facts, now: now.addingTimeInterval(3))
        #expect(stillRouted.remove.isEmpty)
        routed.routedPorts = [41003, 41004]
        #expect(Set(planner.plan(routed, observed: old + new, facts: facts, now: now.addingTimeInterval(3)).remove) == Set(old.map(\.name)))
        let later = planner.plan(desired(target: 2, serving: 2), observed: old + new, facts: facts, now: now.addingTimeInterval(3))
        #expect(Set(later.remove) == Set(old.map(\.name)))
        #expect(later.upstreams == [41003, 41004])
        #expect(later.phase == .running)
    }

    @Test func rolloutFailsWhenAnInstanceExitsOrTimesOut() {
        let old = [web(1, release: 1, port: 41001)]
        var facts = InstanceFacts()
        facts.healthy = [old[0].name]
        let crashed = planner.plan(
            desired(target: 2, serving: 1, web: 1), observed: old + [web(1, release: 2, running: false, port: 41002)], facts: facts, now: now)
        #expect(crashed.rolloutFailure?.contains("web.1 exited with code 1") == true)

        facts.rolloutStarted[2] = now.addingTimeInterval(-61)
        facts.lastFailure["app-web-1-w2"] = "answered 500"
        let slow = planner.plan(desired(target: 2, serving: 1, web: 1), observed: old + [web(1, release: 2, port: 41002)], facts: facts, now: now)
        #expect(slow.rolloutFailure?.contains("did not pass its health check") == true)
        #expect(slow.rolloutFailure?.contains("answered 500") == true)
        #expect(slow.upstreams == [41001])
    }

    /// A pvdifyd killed between creating an instance and starting it leaves it `created`: exit code
    /// 0, never started. Whoever leads next starts it; it is neither a crash nor a failed rollout.
    @Test func anInstanceCreatedButNeverStartedIsStartedNotFailed() {
        let old = [web(1, release: 1, port: 41001), web(2, release: 1, port: 41002)]
        var facts = InstanceFacts()
        facts.healthy = Set(old.map(\.name))
        var created = web(2, release: 2, running: false, port: 41004)
        created.exitCode = 0
        created.startedAt = nil
        #expect(created.neverStarted)
        let observed = old + [web(1, release: 2, port: 41003), created]
        let rollout = planner.plan(desired(target: 2, serving: 1), observed: observed, facts: facts, now: now)
        #expect(rollout.rolloutFailure == nil)
        #expect(rollout.start == [created.name])
        #expect(rollout.restart.isEmpty)
        #expect(rollout.create.isEmpty)
        #expect(rollout.phase == .deploying)
        #expect(rollout.upstreams == [41001, 41002])

        // The same instance after it ran and exited is a failed rollout.
        var exited = created
        exited.startedAt = now.addingTimeInterval(-1)
        #expect(!exited.neverStarted)
        let failed = planner.plan(desired(target: 2, serving: 1), observed: old + [web(1, release: 2, port: 41003), exited], facts: facts, now: now)
        #expect(failed.rolloutFailure?.contains("web.2 exited with code 0") == true)
        #expect(failed.start.isEmpty)

        // Outside a rollout (a scale-up) it is started at once, without a crash backoff.
        var serving = facts
        serving.healthy.insert("app-web-1-w2")
        let scaled = planner.plan(
            desired(target: 2, serving: 2), observed: [web(1, release: 2, port: 41003), created], facts: serving, now: now)
        #expect(scaled.start == [created.name])
        #expect(scaled.restart.isEmpty)
        #expect(scaled.processes["web"]?.status == "starting")
    }

    @Test func workersMustStayUpTenSeconds() {
        var facts = InstanceFacts()
        let worker = ObservedContainer(name: "app-worker-1-k1", app: "app", process: "worker", index: 1, release: 1, specHash: "k1",
                                       hostPort: nil, running: true, startedAt: now.addingTimeInterval(-5))
        let webNew = web(1, release: 1, port: 41001)
        facts.healthy = [webNew.name]
        let early = planner.plan(desired(target: 1, serving: nil, web: 1, worker: 1), observed: [webNew, worker], facts: facts, now: now)
        #expect(!early.rolloutComplete)
        let settled = planner.plan(desired(target: 1, serving: nil, web: 1, worker: 1), observed: [webNew, worker], facts: facts, now: now.addingTimeInterval(6))
        #expect(settled.rolloutComplete)
    }

    @Test func scaleUpAndDownWithoutARelease() {
        let running = [web(1, release: 1, port: 41001), web(2, release: 1, port: 41002), web(3, release: 1, port: 41003)]
        var facts = InstanceFacts()
        facts.healthy = Set(running.map(\.name))
        let down = planner.plan(desired(target: 1, serving: 1, web: 1), observed: running, facts: facts, now: now)
        #expect(down.retire == ["app-web-3-w1", "app-web-2-w1"])  // highest index first
        #expect(down.upstreams == [41001])
        #expect(down.create.isEmpty)
        let up = planner.plan(desired(target: 1, serving: 1, web: 5), observed: running, facts: facts, now: now)
        #expect(up.create == [.init(process: "web", index: 4), .init(process: "web", index: 5)])
        #expect(up.upstreams == [41001, 41002, 41003])
        let zero = planner.plan(desired(target: 1, serving: 1, web: 0), observed: running, facts: facts, now: now)
        #expect(zero.phase == .stopped)
        #expect(zero.upstreams.isEmpty)
        #expect(zero.retire.count == 3)
    }

    @Test func rollingRestartReplacesOneAtATime() {
        let old = [web(1, release: 1, port: 41001), web(2, release: 1, port: 41002)]
        var facts = InstanceFacts()
        facts.healthy = Set(old.map(\.name))
        let restarted = desired(target: 1, serving: 1, hashSuffix: "r")
        let first = planner.plan(restarted, observed: old, facts: facts, now: now)
        #expect(first.create == [.init(process: "web", index: 1)])
        #expect(first.upstreams == [41001, 41002])

        let replacement = web(1, release: 1, hash: "w1r", port: 41003)
        let waiting = planner.plan(restarted, observed: old + [replacement], facts: facts, now: now)
        #expect(waiting.create.isEmpty)  // index 2 waits until index 1 is ready
        #expect(waiting.retire.isEmpty)

        facts.healthy.insert(replacement.name)
        let next = planner.plan(restarted, observed: old + [replacement], facts: facts, now: now)
        #expect(next.retire == [old[0].name])
        #expect(next.create == [.init(process: "web", index: 2)])
        #expect(next.upstreams == [41002, 41003])
    }

    @Test func selfHealing() {
        var facts = InstanceFacts()
        let alive = web(1, release: 1, port: 41001)
        facts.healthy = [alive.name]
        // A container removed by hand comes back.
        let missing = planner.plan(desired(target: 1, serving: 1), observed: [alive], facts: facts, now: now)
        #expect(missing.create == [.init(process: "web", index: 2)])
        // An exited container is restarted, after its backoff.
        let dead = web(2, release: 1, running: false, port: 41002)
        let crash = planner.plan(desired(target: 1, serving: 1), observed: [alive, dead], facts: facts, now: now)
        #expect(crash.restart == [dead.name])
        #expect(crash.phase == .crashed)
        #expect(crash.processes["web"]?.status == "crashed")
        facts.nextRestart[dead.name] = now.addingTimeInterval(4)
        let waiting = planner.plan(desired(target: 1, serving: 1), observed: [alive, dead], facts: facts, now: now)
        #expect(waiting.restart.isEmpty)
        #expect((waiting.requeueAfter ?? .zero) <= .seconds(4))
        // Three failed checks in a row: replaced.
        facts.failures[alive.name] = 3
        let unhealthy = planner.plan(desired(target: 1, serving: 1, web: 1), observed: [alive], facts: facts, now: now)
        #expect(unhealthy.replace == [alive.name])
        // A container altered by hand (another spec hash) is replaced like a restart.
        let altered = web(1, release: 1, hash: "tampered", port: 41004)
        let fix = planner.plan(desired(target: 1, serving: 1, web: 1), observed: [altered], facts: InstanceFacts(), now: now)
        #expect(fix.create == [.init(process: "web", index: 1)])
    }

    @Test func deletedAppsAndRemovedTypesRetireEverything() {
        let stray = [web(1, release: 1, port: 41001)]
        var nothing = desired(target: nil, serving: nil)
        nothing.processes = [:]
        let plan = planner.plan(nothing, observed: stray, facts: InstanceFacts(), now: now)
        #expect(plan.retire == ["app-web-1-w1"])
        #expect(plan.phase == .pending)
    }
}
