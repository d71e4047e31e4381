import Foundation
import PvdifyModel

/// What one pass should do for one app, decided from desired state, observation and memory alone
/// (a pure function, so every rule is unit-tested without Podman).
struct RolloutPlan: Sendable, Equatable {
    struct Instance: Sendable, Equatable, Hashable {
        var process: String
        var index: Int
    }

    /// Instances to create and start.
    var create: [Instance] = []
    /// Exited instances to start again (crash restarts).
    var restart: [String] = []
    /// Instances created and never started, to start now (not a crash, so no backoff).
    var start: [String] = []
    /// Unhealthy instances to remove and create again.
    var replace: [String] = []
    /// Instances that stop being routed now; removed once the drain period has passed.
    var retire: [String] = []
    /// Retired instances whose drain period is over.
    var remove: [String] = []
    /// Host ports of the web instances the router should send traffic to.
    var upstreams: [Int] = []
    /// The rollout of the target release finished: it becomes `active`.
    var rolloutComplete = false
    /// The rollout failed, with the reason for the deploy log.
    var rolloutFailure: String?
    var phase: AppPhase = .pending
    var processes: [String: ProcessStatus] = [:]
    /// When to look again even without an event.
    var requeueAfter: Duration?
}

/// The rules of rollouts, scaling and self-healing.
struct RolloutPlanner {
    /// How long a non-web instance must stay up to count as started.
    var workerSettleTime: TimeInterval = 10
    /// How long a retired instance keeps running before it is stopped.
    var drainPeriod: TimeInterval = 2
    /// Consecutive failed checks that get a running web instance replaced.
    var failureThreshold = 3

    func plan(_ desired: DesiredApp, observed: [ObservedContainer], facts: InstanceFacts, now: Date) -> RolloutPlan {
        var plan = RolloutPlan()
        let retiring = Set(facts.retiringSince.keys)
        func retire(_ container: ObservedContainer) {
            if !retiring.contains(container.name) { plan.retire.append(container.name) }
        }

        guard let target = desired.target else {
            observed.forEach(retire)
            plan.phase = desired.failedNewest == nil ? .pending : .failed
            finishRemovals(&plan, desired: desired, observed: observed, facts: facts, now: now)
            return plan
        }

        var allReady = true
        var crashed = false
        var startingWeb = false
        var readyWeb: [ObservedContainer] = []
        var desiredTypes = Set<String>()

        for type in desired.processes.keys.sorted() {
            let process = desired.processes[type]!
            desiredTypes.insert(type)
            let ofType = observed.filter { $0.process == type }
            var current: [Int: ObservedContainer] = [:]
            var outdated: [ObservedContainer] = []
            for container in ofType.sorted(by: { $0.name < $1.name }) {
                if container.specHash == process.hash, current[container.index] == nil, !retiring.contains(container.name) {
                    current[container.index] = container
                } else {
                    outdated.append(container)
                }
            }
            var running = 0
            var typeCrashed = false
            var notReadyCurrent = current.values.filter { !isReady($0, process: process, facts: facts, now: now) }.count

            for index in stride(from: 1, through: process.count, by: 1) {
                if let container = current[index] {
                    if container.neverStarted {
                        plan.start.append(container.name)
                        allReady = false
                        if process.isWeb { startingWeb = true }
                        continue
                    }
                    if !container.running {
                        if desired.isRollout {
                            plan.rolloutFailure = "\(container.instance) exited with code \(container.exitCode) before it was ready"
                        } else if facts.nextRestart[container.name].map({ now >= $0 }) ?? true {
                            plan.restart.append(container.name)
                        }
                        typeCrashed = true
                        allReady = false
                        continue
                    }
                    running += 1
                    let ready = isReady(container, process: process, facts: facts, now: now)
                    if !ready { allReady = false }
                    if process.isWeb && !ready { startingWeb = true }
                    if process.isWeb, !desired.isRollout, shouldReplace(container, facts: facts, desired: desired, now: now) {
                        plan.replace.append(container.name)
                    }
                    if process.isWeb, ready { readyWeb.append(container) }
                } else {
                    allReady = false
                    let replacing = outdated.contains { $0.index == index && $0.running }
                    // A rolling replacement starts one instance at a time; a rollout or a missing
                    // instance starts at once.
                    if desired.isRollout || !replacing || notReadyCurrent == 0 {
                        plan.create.append(.init(process: type, index: index))
                        if replacing { notReadyCurrent += 1 }
                    }
                }
            }
            // Extra instances (scaled down) retire, highest index first.
            for (index, container) in current.sorted(by: { $0.key > $1.key }) where index > process.count {
                retire(container)
            }
            if !desired.isRollout {
                for old in outdated where old.index > process.count || !old.running
                    || current[old.index].map({ isReady($0, process: process, facts: facts, now: now) }) == true
                {
                    retire(old)
                }
            }
            if typeCrashed { crashed = true }
            let status: String
            if typeCrashed { status = "crashed" }
            else if running < process.count { status = process.count == 0 ? "stopped" : "starting" }
            else if current.count > process.count || !outdated.filter({ !retiring.contains($0.name) }).isEmpty { status = "scaling" }
            else { status = process.count == 0 ? "stopped" : "running" }
            plan.processes[type] = ProcessStatus(
                desired: process.count, running: running, status: status,
                restarts: ofType.reduce(0) { $0 + (facts.restarts[$1.name] ?? 0) })
        }
        // Types no longer in the spec.
        for container in observed where !desiredTypes.contains(container.process) { retire(container) }

        let retiringNow = retiring.union(plan.retire)
        if desired.isRollout {
            if plan.rolloutFailure == nil, allReady {
                plan.rolloutComplete = true
                for container in observed where container.release != target.version || desired.processes[container.process]?.hash != container.specHash {
                    if !plan.retire.contains(container.name) { retire(container) }
                }
                plan.upstreams = readyWeb.compactMap(\.hostPort).sorted()
            } else {
                if plan.rolloutFailure == nil, let started = facts.rolloutStarted[target.version],
                   now.timeIntervalSince(started) * 1000 > Double(desired.healthcheck.deployTimeout.milliseconds)
                {
                    plan.rolloutFailure = timeoutReason(desired, observed: observed, facts: facts)
                }
                // The serving release keeps its traffic.
                plan.upstreams = observed.filter {
                    $0.process == "web" && $0.running && $0.release == desired.serving?.version && !retiringNow.contains($0.name)
                }.compactMap(\.hostPort).sorted()
            }
            plan.phase = plan.rolloutComplete ? (desired.processes.values.allSatisfy { $0.count == 0 } ? .stopped : .running) : .deploying
            plan.requeueAfter = .milliseconds(250)
        } else {
            let web = observed.filter { $0.process == "web" && $0.running && !retiringNow.contains($0.name) }
            plan.upstreams = web.filter { container in
                readyWeb.contains(container) || desired.processes["web"]?.hash != container.specHash
            }.compactMap(\.hostPort).sorted()
            let total = desired.processes.values.reduce(0) { $0 + $1.count }
            if crashed { plan.phase = .crashed }
            else if total == 0 { plan.phase = .stopped }
            else if !allReady || startingWeb { plan.phase = .deploying }
            else { plan.phase = .running }
            if !allReady || !plan.create.isEmpty || !plan.retire.isEmpty { plan.requeueAfter = .milliseconds(250) }
        }
        if !plan.restart.isEmpty || crashed {
            let next = facts.nextRestart.values.filter { $0 > now }.min()
            let wait = next.map { max(0.1, $0.timeIntervalSince(now)) } ?? 1
            plan.requeueAfter = min(plan.requeueAfter ?? .seconds(wait), .milliseconds(Int64(wait * 1000)))
        }
        finishRemovals(&plan, desired: desired, observed: observed, facts: facts, now: now)
        return plan
    }

    /// Web: running and has passed a health check. Others: running for `workerSettleTime`.
    func isReady(_ container: ObservedContainer, process: DesiredApp.Process, facts: InstanceFacts, now: Date) -> Bool {
        guard container.running else { return false }
        if process.isWeb { return facts.healthy.contains(container.name) }
        guard let started = container.startedAt else { return false }
        return now.timeIntervalSince(started) >= workerSettleTime
    }

    /// A web instance that failed `failureThreshold` checks in a row, or never passed one within
    /// the deploy timeout.
    func shouldReplace(_ container: ObservedContainer, facts: InstanceFacts, desired: DesiredApp, now: Date) -> Bool {
        if facts.failures[container.name, default: 0] >= failureThreshold { return true }
        if !facts.healthy.contains(container.name), let started = container.startedAt,
           now.timeIntervalSince(started) * 1000 > Double(desired.healthcheck.deployTimeout.milliseconds)
        {
            return true
        }
        return false
    }

    func timeoutReason(_ desired: DesiredApp, observed: [ObservedContainer], facts: InstanceFacts) -> String {
        let waiting = observed.filter { $0.release == desired.target?.version && $0.process == "web" && !facts.healthy.contains($0.name) }
        guard let first = waiting.first else {
            return "the release was not ready within \(desired.healthcheck.deployTimeout)"
        }
        let last = facts.lastFailure[first.name].map { ": \($0)" } ?? ""
        return "\(first.instance) did not pass its health check (GET \(desired.healthcheck.path)) within \(desired.healthcheck.deployTimeout)\(last)"
    }

    /// Retired instances whose drain period is over are removed.
    func finishRemovals(_ plan: inout RolloutPlan, desired: DesiredApp, observed: [ObservedContainer], facts: InstanceFacts, now: Date) {
        for container in observed {
            guard let since = facts.retiringSince[container.name] else { continue }
            if let port = container.hostPort, container.running, desired.routedPorts?.contains(port) == true {
                // The router still sends it traffic: wait for the route reconciler to switch.
                plan.requeueAfter = min(plan.requeueAfter ?? .seconds(1), .milliseconds(250))
                continue
            }
            if now.timeIntervalSince(since) >= drainPeriod || !container.running {
                plan.remove.append(container.name)
            } else {
                plan.requeueAfter = min(plan.requeueAfter ?? .seconds(1), .milliseconds(Int64(drainPeriod * 1000)))
            }
        }
        if !plan.retire.isEmpty {
            plan.requeueAfter = min(plan.requeueAfter ?? .seconds(1), .milliseconds(Int64(max(drainPeriod, 0.05) * 1000)))
        }
    }
}
