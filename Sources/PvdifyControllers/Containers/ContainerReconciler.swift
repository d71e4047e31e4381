import Foundation
import Logging
import PvdifyDrivers
import PvdifyModel
import PvdifyStore

/// Converges an app's containers to its desired state: rollouts without downtime, scaling,
/// rolling restarts, crash restarts with backoff, replacing unhealthy or hand-altered instances,
/// removing containers of deleted apps. Writes app and release status from what it observed.
public final class ContainerReconciler: Reconciler {
    public let name = "containers"
    let store: Store
    let runtime: any ContainerRuntime
    let probe: any HealthProbe
    let insecureRegistries: [String]
    let planner: RolloutPlanner
    let logger: Logger
    let memory = FactsMemory()
    let ports: PortAllocator
    let collector: LogCollector
    /// Whether a route reconciler runs: then retired web instances wait until it stops routing to them.
    let routingEnabled: Bool

    public init(
        store: Store, runtime: any ContainerRuntime, logs: AppLogs, probe: any HealthProbe = HTTPHealthProbe(),
        insecureRegistries: [String] = [], drainPeriod: TimeInterval = 2, workerSettleTime: TimeInterval = 10,
        portRange: ClosedRange<Int> = PortAllocator.defaultRange, routingEnabled: Bool = false, logger: Logger
    ) {
        self.routingEnabled = routingEnabled
        self.store = store
        self.runtime = runtime
        self.probe = probe
        self.insecureRegistries = insecureRegistries
        self.planner = RolloutPlanner(workerSettleTime: workerSettleTime, drainPeriod: drainPeriod)
        self.logger = logger
        self.ports = PortAllocator(range: portRange)
        self.collector = LogCollector(runtime: runtime, logs: logs)
    }

    public func resyncKeys() async throws -> [String] {
        let observed = try await runtime.list(app: nil)
        await ports.reserveOnly(observed.compactMap(\.hostPort))
        return Array(Set(try await store.appNames()).union(observed.map(\.app))).sorted()
    }

    /// Names of apps whose containers changed, from the runtime's event stream (reconnecting).
    public func eventTrigger() -> AsyncStream<String> {
        let runtime = self.runtime
        return AsyncStream { continuation in
            let task = Task {
                while !Task.isCancelled {
                    do {
                        for try await app in runtime.appEvents() { continuation.yield(app) }
                    } catch {}
                    try? await Task.sleep(for: .seconds(1))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func reconcile(_ app: String) async throws -> ReconcileResult {
        let observed = try await runtime.list(app: app)
        await ports.reserve(observed.compactMap(\.hostPort))
        guard let desired = try await loadDesired(app) else {
            for container in observed { try await removeContainer(container, app: app) }
            await memory.drop(app)
            await collector.appDeleted(app)
            return .done
        }
        await collector.ensureFollowing(observed)
        var facts = await memory.facts(app)
        await checkHealth(desired, observed: observed, facts: &facts)
        let now = Date()
        let plan = planner.plan(desired, observed: observed, facts: facts, now: now)

        if let reason = plan.rolloutFailure, let target = desired.target {
            try await failRollout(desired, target: target, reason: reason, observed: observed, facts: &facts)
            await memory.save(app, facts)
            return .after(.milliseconds(100))
        }
        if !plan.create.isEmpty, let target = desired.target {
            if !(await memory.isPulled(app, release: target.version)) {
                do {
                    try await pull(target)
                    await memory.markPulled(app, release: target.version)
                } catch {
                    try await failRollout(desired, target: target, reason: "pulling \(target.image) failed: \(error)", observed: observed, facts: &facts)
                    await memory.save(app, facts)
                    return .after(.milliseconds(100))
                }
            }
            if desired.isRollout, facts.rolloutStarted[target.version] == nil { facts.rolloutStarted[target.version] = now }
            for instance in plan.create {
                try await createInstance(instance, desired: desired, target: target)
            }
        }
        for name in plan.restart {
            try await runtime.start(name)
            let count = facts.restarts[name, default: 0] + 1
            facts.restarts[name] = count
            facts.nextRestart[name] = now.addingTimeInterval(Self.crashBackoff(attempt: count))
            logger.info("restarted crashed instance", metadata: ["app": "\(app)", "container": "\(name)", "restarts": "\(count)"])
        }
        for name in plan.replace {
            if let container = observed.first(where: { $0.name == name }) {
                logger.info("replacing unhealthy instance", metadata: ["app": "\(app)", "container": "\(name)"])
                try await removeContainer(container, app: app)
                facts.forget(name)
            }
        }
        for name in plan.retire {
            facts.retiringSince[name] = now
            logger.info("instance retired: no new traffic, stopped after the drain period", metadata: ["app": "\(app)", "container": "\(name)"])
        }
        try await withThrowingTaskGroup(of: String.self) { group in
            for name in plan.remove {
                guard let container = observed.first(where: { $0.name == name }) else { continue }
                group.addTask {
                    try await self.removeContainer(container, app: app)
                    return name
                }
            }
            for try await name in group { facts.forget(name) }
        }
        if plan.rolloutComplete, let target = desired.target {
            try await completeRollout(desired, target: target, facts: facts, now: now)
        }
        try await writeStatus(desired, plan: plan)
        facts.prune(existing: Set(observed.map(\.name)), rollingOut: desired.isRollout ? desired.target?.version : nil)
        await memory.save(app, facts)
        if desired.isRollout, !plan.rolloutComplete, let target = desired.target, let started = facts.rolloutStarted[target.version] {
            return .after(Self.rolloutPollInterval(elapsed: now.timeIntervalSince(started)))
        }
        return .after(plan.requeueAfter ?? steadyInterval(desired))
    }

    /// During a rollout, health checks come soon after an instance starts, then at intervals
    /// growing to 1 s.
    static func rolloutPollInterval(elapsed: TimeInterval) -> Duration {
        switch elapsed {
        case ..<1: .milliseconds(100)
        case ..<3: .milliseconds(250)
        case ..<6: .milliseconds(500)
        default: .seconds(1)
        }
    }

    func steadyInterval(_ desired: DesiredApp) -> Duration {
        .milliseconds(Int64(desired.healthcheck.interval.milliseconds))
    }

    /// 1 s doubling to 5 min.
    static func crashBackoff(attempt: Int) -> TimeInterval {
        let delay = Backoff.delay(base: .seconds(1), cap: .seconds(300), attempt: attempt)
        return Double(delay.components.seconds)
    }

    // MARK: - Desired state

    func loadDesired(_ app: String) async throws -> DesiredApp? {
        let view: AppView
        do {
            view = try await store.app(app)
        } catch StoreError.notFound {
            return nil
        }
        let releases = try await store.releases(app)
        let target = releases.first { $0.status != .failed }
        var env: [String: String] = [:]
        if let version = target?.configVersion { env = try await store.resolvedConfig(app, version: version) }
        env["PORT"] = String(view.app.bindPort)
        let spec = view.app.spec
        var processes: [String: DesiredApp.Process] = [:]
        for (type, process) in spec.processes {
            let hash = ContainerLabels.specHash(
                release: target?.version ?? 0, image: target?.image ?? "", process: type, command: process.command, env: env,
                resources: spec.resources, port: view.app.bindPort, restartRequested: spec.restarts[type])
            processes[type] = .init(type: type, count: process.count, command: process.command, hash: hash)
        }
        return DesiredApp(
            name: app, generation: view.app.generation, bindPort: view.app.bindPort, target: target,
            serving: releases.first { $0.status == .active }, env: env, processes: processes,
            resources: spec.resources, healthcheck: spec.healthcheck,
            failedNewest: releases.first?.status == .failed ? releases.first : nil,
            routedPorts: routingEnabled ? Set((view.status?.routedUpstreams ?? []).compactMap { Int($0.split(separator: ":").last ?? "") }) : nil)
    }

    // MARK: - Acting

    func pull(_ release: Release) async throws {
        let store = self.store
        let app = release.app, version = release.version
        try await store.appendReleaseLog(app, version: version, "Pulling \(release.image)")
        let lines = LineBuffer()
        try await runtime.pull(release.image, insecure: isInsecure(release.image)) { line in lines.append(line) }
        for line in lines.drain() where !line.isEmpty {
            try await store.appendReleaseLog(app, version: version, "pull: \(line)")
        }
        try await store.appendReleaseLog(app, version: version, "Pulled \(release.image)")
    }

    func isInsecure(_ image: String) -> Bool {
        guard let host = image.split(separator: "/").first, image.contains("/") else { return false }
        return insecureRegistries.contains(String(host))
    }

    func createInstance(_ instance: RolloutPlan.Instance, desired: DesiredApp, target: Release) async throws {
        guard let process = desired.processes[instance.process] else { return }
        let name = ContainerLabels.containerName(app: desired.name, process: instance.process, index: instance.index, hash: process.hash)
        var labels = [
            ContainerLabels.app: desired.name, ContainerLabels.process: instance.process,
            ContainerLabels.index: String(instance.index), ContainerLabels.release: String(target.version),
            ContainerLabels.specHash: process.hash,
        ]
        var env = desired.env
        env["DYNO"] = "\(instance.process).\(instance.index)"
        var hostPort: Int?
        // A port can be taken between the allocator's check and Podman's bind (by anything on the
        // machine): then the container goes and the next free port is tried.
        for attempt in 1...3 {
            var ports: [ContainerSpec.PortMapping] = []
            if process.isWeb {
                let port = try await self.ports.allocate()
                hostPort = port
                labels[ContainerLabels.hostPort] = String(port)
                ports = [.init(hostPort: port, containerPort: desired.bindPort)]
            }
            let spec = ContainerSpec(
                name: name, image: target.image, command: process.command, env: env, labels: labels, ports: ports,
                memoryBytes: desired.resources.memory?.bytes, cpus: desired.resources.cpu, stopTimeout: 10)
            do {
                try await runtime.create(spec)
                try await runtime.start(name)
                break
            } catch let error where "\(error)".contains("address already in use") && attempt < 3 && hostPort != nil {
                logger.warning("host port taken, trying another", metadata: ["app": "\(desired.name)", "port": "\(hostPort!)"])
                try await runtime.remove(name, timeout: 0)
            } catch {
                if let hostPort { await self.ports.release(hostPort) }
                throw error
            }
        }
        let where_ = hostPort.map { " on 127.0.0.1:\($0)" } ?? ""
        try await store.appendReleaseLog(desired.name, version: target.version, "Started \(instance.process).\(instance.index) (\(name))\(where_)")
    }

    func removeContainer(_ container: ObservedContainer, app: String) async throws {
        logger.info("removing instance", metadata: ["app": "\(app)", "container": "\(container.name)"])
        try await runtime.remove(container.name, timeout: 10)
        if let port = container.hostPort { await ports.release(port) }
        await collector.forget(container.name)
    }

    func failRollout(_ desired: DesiredApp, target: Release, reason: String, observed: [ObservedContainer], facts: inout InstanceFacts) async throws {
        logger.warning("release failed", metadata: ["app": "\(desired.name)", "release": "\(target.version)", "reason": "\(reason)"])
        try await store.appendReleaseLog(desired.name, version: target.version, "Release v\(target.version) failed: \(reason)")
        for container in observed where container.release == target.version {
            try await removeContainer(container, app: desired.name)
            facts.forget(container.name)
        }
        try await store.setReleaseStatus(desired.name, version: target.version, .failed)
        if let serving = desired.serving {
            try await store.appendReleaseLog(desired.name, version: target.version, "v\(serving.version) keeps serving")
        }
        facts.rolloutStarted[target.version] = nil
    }

    func completeRollout(_ desired: DesiredApp, target: Release, facts: InstanceFacts, now: Date) async throws {
        let started = facts.rolloutStarted[target.version]
        let took = started.map { String(format: " in %.1f s", now.timeIntervalSince($0)) } ?? ""
        try await store.setReleaseStatus(desired.name, version: target.version, .active)
        for release in try await store.releases(desired.name)
        where release.version != target.version && (release.status == .active || release.status == .deploying) {
            try await store.setReleaseStatus(desired.name, version: release.version, .superseded)
        }
        try await store.appendReleaseLog(desired.name, version: target.version, "Release v\(target.version) is active\(took)")
        logger.info("release active", metadata: ["app": "\(desired.name)", "release": "\(target.version)"])
    }

    // MARK: - Health

    func checkHealth(_ desired: DesiredApp, observed: [ObservedContainer], facts: inout InstanceFacts) async {
        let interval = Duration.milliseconds(Int64(desired.healthcheck.interval.milliseconds))
        let now = ContinuousClock.now
        let due = observed.filter { container in
            guard container.process == "web", container.running, container.hostPort != nil,
                  facts.retiringSince[container.name] == nil else { return false }
            guard facts.healthy.contains(container.name) else { return true }
            return facts.lastChecked[container.name].map { now - $0 >= interval } ?? true
        }
        guard !due.isEmpty else { return }
        let probe = self.probe
        let path = desired.healthcheck.path
        let timeout = Duration.milliseconds(Int64(desired.healthcheck.timeout.milliseconds))
        let results = await withTaskGroup(of: (ObservedContainer, String?).self) { group in
            for container in due {
                group.addTask { (container, await probe.check(port: container.hostPort!, path: path, timeout: timeout)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        for (container, failure) in results {
            facts.lastChecked[container.name] = now
            if let failure {
                facts.lastFailure[container.name] = failure
                if facts.healthy.contains(container.name) { facts.failures[container.name, default: 0] += 1 }
            } else {
                if !facts.healthy.contains(container.name), let target = desired.target, container.release == target.version,
                   desired.isRollout
                {
                    try? await store.appendReleaseLog(desired.name, version: target.version, "\(container.instance) is healthy")
                }
                facts.healthy.insert(container.name)
                facts.failures[container.name] = 0
            }
        }
    }

    // MARK: - Status

    /// Writes the fields this reconciler owns: phase, processes, upstreams and its conditions.
    func writeStatus(_ desired: DesiredApp, plan: RolloutPlan) async throws {
        try await store.updateStatus(desired.name) { status in
            status.observedGeneration = desired.generation
            status.phase = plan.phase
            status.processes = plan.processes
            status.upstreams = plan.upstreams.map { "127.0.0.1:\($0)" }
            switch plan.phase {
            case .running:
                status.setCondition(ConditionType.ready, true, reason: ConditionReason.allProcessesHealthy)
            case .stopped:
                status.setCondition(ConditionType.ready, false, reason: ConditionReason.scaledToZero)
            case .pending:
                status.setCondition(ConditionType.ready, false, reason: ConditionReason.noRelease)
            case .crashed:
                status.setCondition(ConditionType.ready, false, reason: ConditionReason.instancesCrashed)
            case .deploying, .failed:
                status.setCondition(ConditionType.ready, !plan.upstreams.isEmpty, reason: ConditionReason.instancesStarting)
            }
            if desired.isRollout {
                status.setCondition(ConditionType.progressing, true, reason: ConditionReason.rollingOut,
                                    message: "rolling out v\(desired.target?.version ?? 0)")
            } else if let failed = desired.failedNewest {
                status.setCondition(ConditionType.progressing, false, reason: ConditionReason.releaseFailed,
                                    message: "v\(failed.version) failed; see its deploy log")
            } else {
                status.setCondition(ConditionType.progressing, false, reason: ConditionReason.rolloutComplete)
            }
            status.setCondition(ConditionType.degraded, plan.phase == .crashed,
                                reason: plan.phase == .crashed ? ConditionReason.instancesCrashed : ConditionReason.noCrashes)
        }
    }
}

/// The reconciler's memory of instances, per app.
actor FactsMemory {
    private var facts: [String: InstanceFacts] = [:]
    /// Per app, the release whose image was pulled last (only the release being rolled out matters).
    private var pulled: [String: Int] = [:]

    func facts(_ app: String) -> InstanceFacts { facts[app] ?? InstanceFacts() }
    func save(_ app: String, _ value: InstanceFacts) { facts[app] = value }
    func drop(_ app: String) {
        facts[app] = nil
        pulled[app] = nil
    }
    func isPulled(_ app: String, release: Int) -> Bool { pulled[app] == release }
    func markPulled(_ app: String, release: Int) { pulled[app] = release }
}

/// Collects lines from a synchronous callback for writing afterwards.
final class LineBuffer: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    func drain() -> [String] {
        lines.withLock { lines in
            let all = lines
            lines.removeAll()
            return all
        }
    }
}

import Synchronization
