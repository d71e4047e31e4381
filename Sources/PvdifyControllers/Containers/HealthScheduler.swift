/// The health checks of running web instances that have passed one, each at its app's
/// `healthcheck.interval`, run by one loop for every instance (no task per instance). A passing
/// check costs nothing more; a failing one queues the app, whose pass decides (three failures in a
/// row replace the instance). Checks of instances not yet healthy run in passes (rollouts poll them).
actor HealthScheduler {
    /// A web instance to check.
    struct Target: Sendable, Equatable {
        var app: String
        var port: Int
        var path: String
        var interval: Duration
        var timeout: Duration
    }

    /// What the checks of one instance found so far.
    struct Record: Sendable, Equatable {
        /// It has passed a check since it started.
        var passed = false
        /// Consecutive failed checks after it had passed.
        var failures = 0
        var lastFailure: String?
        var lastChecked: ContinuousClock.Instant?
    }

    let probe: any HealthProbe
    /// How many checks run at once.
    let concurrency: Int
    private var targets: [String: Target] = [:]
    private var due: [String: ContinuousClock.Instant] = [:]
    private var records: [String: Record] = [:]
    /// Checks run by the loop so far (benchmarks and tests count them).
    private(set) var checksRun = 0

    init(probe: any HealthProbe, concurrency: Int = 32) {
        self.probe = probe
        self.concurrency = concurrency
    }

    /// The records of the named instances.
    func records(_ names: [String]) -> [String: Record] {
        var found: [String: Record] = [:]
        for name in names { found[name] = records[name] }
        return found
    }

    /// Records the result of a check a pass made itself.
    func record(_ name: String, failure: String?, at time: ContinuousClock.Instant) {
        var record = records[name] ?? Record()
        record.lastChecked = time
        if let failure {
            record.lastFailure = failure
            if record.passed { record.failures += 1 }
        } else {
            record.passed = true
            record.failures = 0
        }
        records[name] = record
        if let target = targets[name] { due[name] = time + target.interval }
    }

    /// Makes `watched` the instances of `app` the loop checks; its other instances leave the schedule.
    func schedule(app: String, _ watched: [String: Target]) {
        for (name, target) in targets where target.app == app && watched[name] == nil {
            targets[name] = nil
            due[name] = nil
        }
        for (name, target) in watched where targets[name] != target {
            targets[name] = target
            let last = records[name]?.lastChecked ?? .now
            due[name] = last + target.interval
        }
    }

    /// Forgets a removed instance.
    func forget(_ name: String) {
        targets[name] = nil
        due[name] = nil
        records[name] = nil
    }

    /// Forgets every instance not among `present` (after a full list: a container removed by hand,
    /// or while events were missed, leaves nothing behind).
    func retainOnly(_ present: Set<String>) {
        for name in Set(records.keys).union(targets.keys) where !present.contains(name) { forget(name) }
    }

    /// How many instances it keeps records of (tests and memory checks).
    var recordCount: Int { records.count }

    /// Forgets every instance of a deleted app.
    func forget(app: String) {
        for (name, target) in targets where target.app == app { forget(name) }
    }

    /// Checks instances as they fall due until cancelled; `failed` is told the app of each failure.
    func run(failed: @escaping @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            let ready = due.filter { $0.value <= now }.map(\.key)
            guard !ready.isEmpty else {
                // Sleep until the next check falls due; at most a second, so new instances are picked up.
                let next = due.values.min().map { min($0, now + .seconds(1)) } ?? now + .seconds(1)
                try? await Task.sleep(until: next)
                continue
            }
            for name in ready { due[name] = now + (targets[name]?.interval ?? .seconds(1)) }
            let jobs = ready.compactMap { name in targets[name].map { (name, $0) } }
            let probe = self.probe
            let limit = concurrency
            let results = await withTaskGroup(of: (String, Target, String?).self) { group in
                var results: [(String, Target, String?)] = []
                var started = 0
                for (name, target) in jobs {
                    if started >= limit, let result = await group.next() { results.append(result) }
                    group.addTask { (name, target, await probe.check(port: target.port, path: target.path, timeout: target.timeout)) }
                    started += 1
                }
                for await result in group { results.append(result) }
                return results
            }
            checksRun += results.count
            let checked = ContinuousClock.now
            for (name, target, failure) in results where targets[name] != nil {
                record(name, failure: failure, at: checked)
                if failure != nil { failed(target.app) }
            }
        }
    }
}
