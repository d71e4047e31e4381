import Foundation
import Logging
import PvdifyDrivers
import PvdifyModel
import PvdifyStore

/// Converges an app's containers to its desired state: rollouts without downtime, scaling,
/// rolling restarts, crash restarts with backoff, replacing unhealthy or hand-altered instances,
/// removing containers of deleted apps. A pass reads the observed-state cache (no list call) and
/// writes what it learned (status, release states, deploy-log lines) in one transaction at its end.
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
    let cache = ContainerCache()
    let health: HealthScheduler
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
        self.health = HealthScheduler(probe: probe)
    }

    public func reconcile(_ app: String) async throws -> ReconcileResult {
        guard let observed = await observe(app) else {
            await memory.unmark(app)
            try await reportRuntimeUnavailable(app)
            return .done
        }
        await ports.reserve(observed.compactMap(\.hostPort))
        guard let desired = try await loadDesired(app) else {
            for container in observed { try await removeContainer(container, app: app) }
            await memory.drop(app)
            await collector.appDeleted(app)
            await health.forget(app: app)
            return .done
        }
        await collector.ensureFollowing(observed)
        var report = StatusReport(app: app)
        var facts = await memory.facts(app)
        await checkHealth(desired, observed: observed, facts: &facts, report: &report)
        let now = Date()
        let plan = planner.plan(desired, observed: observed, facts: facts, now: now)

        if let reason = plan.rolloutFailure, let target = desired.target {
            try await failRollout(desired, target: target, reason: reason, observed: observed, facts: &facts, report: &report)
            try await store.report([report])
            await memory.save(app, facts)
            return .after(.milliseconds(100))
        }
        if !plan.create.isEmpty, let target = desired.target {
            if !(await memory.isPulled(app, release: target.version)) {
                do {
                    try await pull(target, report: &report)
                    await memory.markPulled(app, release: target.version)
                } catch {
                    try await failRollout(desired, target: target, reason: "pulling \(target.image) failed: \(error)", observed: observed, facts: &facts, report: &report)
                    try await store.report([report])
                    await memory.save(app, facts)
                    return .after(.milliseconds(100))
                }
            }
            if desired.isRollout, facts.rolloutStarted[target.version] == nil { facts.rolloutStarted[target.version] = now }
            for instance in plan.create {
                try await createInstance(instance, desired: desired, target: target, report: &report)
            }
        }
        for name in plan.start {
            guard let container = observed.first(where: { $0.name == name }) else { continue }
            do {
                try await runtime.start(name)
            } catch where desired.isRollout && container.release == desired.target?.version {
                let target = desired.target!
                try await failRollout(
                    desired, target: target, reason: "starting \(container.instance) failed: \(error)", observed: observed, facts: &facts,
                    report: &report)
                try await store.report([report])
                await memory.save(app, facts)
                return .after(.milliseconds(100))
            }
            await cache.apply(ContainerEvent(action: .start, id: container.id ?? "", name: name, container: container))
            report.log(container.release, "Started \(container.instance) (\(name)), which was created but never started")
            logger.info("started an instance that was created but never started", metadata: ["app": "\(app)", "container": "\(name)"])
        }
        for name in plan.restart {
            try await runtime.start(name)
            await cache.apply(ContainerEvent(action: .start, id: "", name: name, container: nil))
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
            completeRollout(desired, target: target, facts: facts, now: now, report: &report)
        }
        report.status = statusChange(desired, plan: plan)
        try await store.report([report])
        // The cache holds what this pass created too, so their facts are kept.
        let current = await cache.containers(of: app)
        facts.prune(existing: Set(current.map(\.name)), rollingOut: desired.isRollout ? desired.target?.version : nil)
        await memory.save(app, facts)
        await scheduleHealthChecks(desired, observed: current, facts: facts)
        if desired.isRollout, !plan.rolloutComplete, let target = desired.target, let started = facts.rolloutStarted[target.version] {
            return .after(Self.rolloutPollInterval(elapsed: now.timeIntervalSince(started)))
        }
        if let delay = plan.requeueAfter { return .after(delay) }
        // Converged: nothing more until a change, an event, a failing health check or a resync that finds a difference.
        await memory.mark(app, generation: desired.generation, revision: await cache.revision(of: app))
        return .done
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
        let releases: [Release]
        do {
            releases = try await store.releases(app)
        } catch StoreError.notFound {
            return nil
        }
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
            routedPorts: routingEnabled ? Set((view.status?.routedUpstreams ?? []).compactMap { Int($0.split(separator: ":").last ?? "") }) : nil,
            releases: releases)
    }

    // MARK: - Acting

    /// Pulls the release's image. Its deploy log says so first (written before the pull, which may
    /// take long, so a follower sees it start), then the pull's lines.
    func pull(_ release: Release, report: inout StatusReport) async throws {
        let app = release.app, version = release.version
        report.log(version, "Pulling \(release.image)")
        try await store.report([report])
        report = StatusReport(app: app)
        let lines = LineBuffer()
        defer {
            for line in lines.drain() where !line.isEmpty { report.log(version, "pull: \(line)") }
        }
        try await runtime.pull(release.image, insecure: isInsecure(release.image)) { line in lines.append(line) }
        for line in lines.drain() where !line.isEmpty { report.log(version, "pull: \(line)") }
        report.log(version, "Pulled \(release.image)")
    }

    func isInsecure(_ image: String) -> Bool {
        guard let host = image.split(separator: "/").first, image.contains("/") else { return false }
        return insecureRegistries.contains(String(host))
    }

    func createInstance(_ instance: RolloutPlan.Instance, desired: DesiredApp, target: Release, report: inout StatusReport) async throws {
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
        var id: String?
        if process.isWeb {
            // Ports that containers which are not this daemon's publish (another pvdifyd's, a
            // hand-made one, one Podman still lists after a reboot) are taken too, though nothing
            // may listen on them: Podman forwards such a port to its own container. Asked here, at
            // each create, because those containers' events never reach this daemon.
            await ports.reserve(try await runtime.publishedHostPorts())
        }
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
                id = try await runtime.create(spec)
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
        // The next pass sees its own create at once, before Podman's events arrive.
        let created = ObservedContainer(name: name, labels: labels, running: true, startedAt: Date(), id: id)
        await cache.apply(ContainerEvent(action: .start, id: id ?? "", name: name, container: created))
        let where_ = hostPort.map { " on 127.0.0.1:\($0)" } ?? ""
        report.log(target.version, "Started \(instance.process).\(instance.index) (\(name))\(where_)")
    }

    func removeContainer(_ container: ObservedContainer, app: String) async throws {
        logger.info("removing instance", metadata: ["app": "\(app)", "container": "\(container.name)"])
        try await runtime.remove(container.name, timeout: 10)
        await cache.apply(ContainerEvent(action: .remove, id: container.id ?? "", name: container.name, container: nil))
        if let port = container.hostPort { await ports.release(port) }
        await collector.forget(container.name)
        await health.forget(container.name)
    }

    func failRollout(
        _ desired: DesiredApp, target: Release, reason: String, observed: [ObservedContainer], facts: inout InstanceFacts,
        report: inout StatusReport
    ) async throws {
        logger.warning("release failed", metadata: ["app": "\(desired.name)", "release": "\(target.version)", "reason": "\(reason)"])
        report.log(target.version, "Release v\(target.version) failed: \(reason)")
        for container in observed where container.release == target.version {
            try await removeContainer(container, app: desired.name)
            facts.forget(container.name)
        }
        report.setRelease(target.version, .failed)
        if let serving = desired.serving {
            report.log(target.version, "v\(serving.version) keeps serving")
        }
        facts.rolloutStarted[target.version] = nil
    }

    func completeRollout(_ desired: DesiredApp, target: Release, facts: InstanceFacts, now: Date, report: inout StatusReport) {
        let started = facts.rolloutStarted[target.version]
        let took = started.map { String(format: " in %.1f s", now.timeIntervalSince($0)) } ?? ""
        report.setRelease(target.version, .active)
        for release in desired.releases
        where release.version != target.version && (release.status == .active || release.status == .deploying) {
            report.setRelease(release.version, .superseded)
        }
        report.log(target.version, "Release v\(target.version) is active\(took)")
        logger.info("release active", metadata: ["app": "\(desired.name)", "release": "\(target.version)"])
    }

    // MARK: - Health

    /// Checks the web instances that have not passed a check yet (starting, rolling out); those
    /// that have are the scheduler's, and their records come from it.
    func checkHealth(_ desired: DesiredApp, observed: [ObservedContainer], facts: inout InstanceFacts, report: inout StatusReport) async {
        let records = await health.records(observed.map(\.name))
        facts.healthy = Set(records.filter(\.value.passed).keys)
        facts.failures = records.mapValues(\.failures)
        facts.lastFailure = records.compactMapValues(\.lastFailure)
        facts.lastChecked = records.compactMapValues(\.lastChecked)
        let due = observed.filter { container in
            container.process == "web" && container.running && container.hostPort != nil
                && facts.retiringSince[container.name] == nil && !facts.healthy.contains(container.name)
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
        let now = ContinuousClock.now
        for (container, failure) in results {
            await health.record(container.name, failure: failure, at: now)
            facts.lastChecked[container.name] = now
            if let failure {
                facts.lastFailure[container.name] = failure
            } else {
                if let target = desired.target, container.release == target.version, desired.isRollout {
                    report.log(target.version, "\(container.instance) is healthy")
                }
                facts.healthy.insert(container.name)
                facts.failures[container.name] = 0
            }
        }
    }

    /// Hands the app's healthy, serving web instances to the health scheduler.
    func scheduleHealthChecks(_ desired: DesiredApp, observed: [ObservedContainer], facts: InstanceFacts) async {
        let interval = Duration.milliseconds(Int64(desired.healthcheck.interval.milliseconds))
        let timeout = Duration.milliseconds(Int64(desired.healthcheck.timeout.milliseconds))
        var watched: [String: HealthScheduler.Target] = [:]
        for container in observed where container.process == "web" && container.running && facts.healthy.contains(container.name)
            && facts.retiringSince[container.name] == nil
        {
            guard let port = container.hostPort else { continue }
            watched[container.name] = .init(app: desired.name, port: port, path: desired.healthcheck.path, interval: interval, timeout: timeout)
        }
        await health.schedule(app: desired.name, watched)
    }

    // MARK: - Status

    /// The fields this reconciler owns: phase, processes, upstreams and its conditions.
    func statusChange(_ desired: DesiredApp, plan: RolloutPlan) -> @Sendable (inout AppStatus) -> Void {
        { status in
            let generation = desired.generation
            status.observedGeneration = generation
            status.phase = plan.phase
            status.processes = plan.processes
            status.upstreams = plan.upstreams.map { "127.0.0.1:\($0)" }
            status.setReady(for: plan.phase, serving: !plan.upstreams.isEmpty, observedGeneration: generation)
            if desired.isRollout {
                status.setCondition(ConditionType.progressing, true, reason: ConditionReason.rollingOut,
                                    message: "rolling out v\(desired.target?.version ?? 0)", observedGeneration: generation)
            } else if let failed = desired.failedNewest {
                status.setCondition(ConditionType.progressing, false, reason: ConditionReason.releaseFailed,
                                    message: "v\(failed.version) failed; see its deploy log", observedGeneration: generation)
            } else {
                status.setCondition(ConditionType.progressing, false, reason: ConditionReason.rolloutComplete, observedGeneration: generation)
            }
            status.setCondition(ConditionType.degraded, plan.phase == .crashed,
                                reason: plan.phase == .crashed ? ConditionReason.instancesCrashed : ConditionReason.noCrashes,
                                observedGeneration: generation)
        }
    }

    /// With the runtime unreachable nothing is known: `Ready` says so, and nothing else changes.
    func reportRuntimeUnavailable(_ app: String) async throws {
        let generation: Int
        do {
            generation = try await store.app(app).app.generation
        } catch StoreError.notFound {
            return
        }
        var report = StatusReport(app: app)
        report.status = { status in
            status.setCondition(ConditionType.ready, false, reason: ConditionReason.runtimeUnavailable,
                                message: "Podman is not reachable; containers keep running and are adopted when it is back",
                                observedGeneration: generation)
        }
        try await store.report([report])
    }
}

/// The reconciler's memory of instances, per app, and of which apps it left converged.
actor FactsMemory {
    /// An app's converged state: the generation acted on and the cache revision seen.
    struct Mark: Equatable {
        var generation: Int
        var revision: Int
    }

    private var facts: [String: InstanceFacts] = [:]
    /// Per app, the release whose image was pulled last (only the release being rolled out matters).
    private var pulled: [String: Int] = [:]
    private var marks: [String: Mark] = [:]

    func facts(_ app: String) -> InstanceFacts { facts[app] ?? InstanceFacts() }
    func save(_ app: String, _ value: InstanceFacts) { facts[app] = value }
    func drop(_ app: String) {
        facts[app] = nil
        marks[app] = nil
        pulled[app] = nil
    }
    func isPulled(_ app: String, release: Int) -> Bool { pulled[app] == release }
    func markPulled(_ app: String, release: Int) { pulled[app] = release }

    /// Notes that a pass left `app` converged.
    func mark(_ app: String, generation: Int, revision: Int) { marks[app] = Mark(generation: generation, revision: revision) }
    /// Forgets that `app` was converged (the next resync visits it).
    func unmark(_ app: String) { marks[app] = nil }
    /// The apps whose generation or cache revision moved since their last converged pass, or that never converged.
    func unconverged(generations: [String: Int], revisions: [String: Int]) -> Set<String> {
        Set(generations.compactMap { app, generation in
            marks[app] == Mark(generation: generation, revision: revisions[app, default: 0]) ? nil : app
        })
    }
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
