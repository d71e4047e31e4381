import Foundation
import Logging
import PvdifyDrivers
import PvdifyModel
import PvdifyStore

/// Converges apps on a Kubernetes cluster instead of Podman. Each pass renders the app's running
/// release (the newest one that has not failed) with `KubernetesRenderer`, server-side applies the
/// objects as field manager `pvdify` with `force` (so a hand edit of a field pvdify sets is taken
/// back, and fields it does not set are left alone), deletes its objects that are no longer
/// rendered, and reads the Deployments' status into the app's and the release's status. An
/// object it applied before, unchanged, that the watched cluster still holds field for field is
/// not applied again: a pass that finds everything in place makes no call. A failed
/// rollout (`ProgressDeadlineExceeded`) marks the release failed; the next pass applies the
/// previous release again, which the cluster is still serving from its old ReplicaSet.
public final class KubernetesReconciler: Reconciler {
    public let name = "kubernetes"
    let store: Store
    let client: KubernetesClient
    let logger: Logger
    /// The namespace's pvdify objects, kept current by the watches.
    let cache = KubernetesObjectCache()
    /// What this pvdifyd last applied, per object: unchanged and still in place, it is not applied again.
    let applied = AppliedObjects()

    /// Changes that alter what is rendered: new and deleted apps, spec, releases, config, domains.
    public static let changeKinds: Set<Change.Kind> = [.created, .spec, .release, .config, .domains, .deleted]
    /// How often a rollout in progress is looked at even without a watch event.
    static let rolloutPoll: Duration = .seconds(1)

    /// A reconciler writing into `client`'s namespace.
    public init(store: Store, client: KubernetesClient, logger: Logger) {
        self.store = store
        self.client = client
        self.logger = logger
    }

    /// Store changes by app, and a watch per kind (a status change or a hand edit wakes its app).
    public func triggers() -> [@Sendable () -> AsyncStream<String>] {
        let store = self.store
        let watchers = KubernetesResource.all.map { ObjectWatcher(resource: $0, client: client, cache: cache, logger: logger) }
        return [{ store.changes.apps(Self.changeKinds) }] + watchers.map { watcher in { watcher.apps() } }
    }

    /// Every app in the store, and every app that has objects in the namespace (deleted while
    /// pvdifyd was down: their objects go).
    public func resyncKeys() async throws -> [String] {
        var keys = Set(try await store.appNames())
        if await cache.isComplete {
            keys.formUnion(await cache.apps())
        } else if let deployed = try? await client.list(.deployment, labelSelector: KubernetesRequests.selector()) {
            keys.formUnion(deployed.items.compactMap(KubernetesObjectCache.app))
        }
        return keys.sorted()
    }

    public func reconcile(_ app: String) async throws -> ReconcileResult {
        guard let desired = try await loadDesired(app) else {
            try await deleteObjects(of: app, keeping: [])
            return .done
        }
        do {
            return try await converge(desired)
        } catch let error as KubernetesError where error.isUnreachable {
            try await reportUnreachable(desired, error: error)
            throw error
        }
    }

    // MARK: - Desired state

    /// The app, its releases and the objects of the release to run; nil when the app is gone.
    func loadDesired(_ app: String) async throws -> KubernetesDesiredApp? {
        let view: AppView, releases: [Release]
        do {
            view = try await store.app(app)
            releases = try await store.releases(app)
        } catch StoreError.notFound {
            return nil
        }
        let target = releases.first { $0.status != .failed }
        var objects: [JSONValue] = []
        if let target {
            var config: [String: String] = [:]
            if let version = target.configVersion { config = try await store.resolvedConfig(app, version: version) }
            let rendered = KubernetesApp(
                name: app, spec: view.app.spec, port: view.app.bindPort, domains: view.domains, release: target.version,
                image: target.image, config: config, namespace: client.namespace)
            objects = KubernetesRenderer.objects(rendered).map(Self.secretAsData).map { Self.restarted($0, restarts: view.app.spec.restarts) }
        }
        return KubernetesDesiredApp(
            name: app, generation: view.app.generation, releases: releases, target: target,
            serving: releases.first { $0.status == .active }, failedNewest: releases.first?.status == .failed ? releases.first : nil,
            objects: objects)
    }

    /// The Secret with its values under `data` (base64), as the API server stores them: applying
    /// `stringData` would leave server-side apply no field to own, so a key removed from the config
    /// would stay in the cluster.
    static func secretAsData(_ object: JSONValue) -> JSONValue {
        guard object["kind"]?.stringValue == "Secret", case .object(var fields) = object,
              let strings = fields["stringData"]?.objectValue
        else { return object }
        fields["stringData"] = nil
        fields["data"] = .object(strings.mapValues { .string(Data(($0.stringValue ?? "").utf8).base64EncodedString()) })
        return .object(fields)
    }

    /// The pod template annotated with the time of the process's last `ps/restart`, as
    /// `kubectl rollout restart` does: a new value rolls the pods, one at a time behind readiness.
    static func restarted(_ object: JSONValue, restarts: [String: Date]) -> JSONValue {
        guard object["kind"]?.stringValue == "Deployment",
              let process = object["metadata"]?["labels"]?[KubernetesNames.componentLabel]?.stringValue,
              let date = restarts[process],
              case .object(var fields) = object, case .object(var spec)? = fields["spec"],
              case .object(var template)? = spec["template"], case .object(var metadata)? = template["metadata"]
        else { return object }
        var annotations = metadata["annotations"]?.objectValue ?? [:]
        annotations[restartedAtAnnotation] = .string(ISO8601DateFormatter().string(from: date))
        metadata["annotations"] = .object(annotations)
        template["metadata"] = .object(metadata)
        spec["template"] = .object(template)
        fields["spec"] = .object(spec)
        return .object(fields)
    }

    /// On a pod template: when its process was last restarted with `ps/restart`.
    public static let restartedAtAnnotation = "pvdify.win/restarted-at"

    // MARK: - Converging

    func converge(_ desired: KubernetesDesiredApp) async throws -> ReconcileResult {
        var rollouts: [String: DeploymentRollout] = [:]
        var conflict: String?
        let cacheComplete = await cache.isComplete
        for object in desired.objects {
            let key = Self.key(object) ?? ""
            let live = await cache.object(key)
            if let clash = try await nameClash(key, object, live: live, app: desired.name) {
                conflict = clash
                if desired.isRollout, let target = desired.target {
                    var report = StatusReport(app: desired.name)
                    failRollout(desired, target: target, reason: clash, report: &report)
                    try await store.report([report])
                    return .after(.milliseconds(100))
                }
                continue
            }
            // Applied before, unchanged, and the cluster still holds it: applying would change nothing.
            if cacheComplete, await self.applied.matches(key, object), let live, KubernetesObjectCache.holds(live, object) {
                if live["kind"]?.stringValue == "Deployment",
                   let process = live["metadata"]?["labels"]?[KubernetesNames.componentLabel]?.stringValue {
                    rollouts[process] = DeploymentRollout(live)
                }
                continue
            }
            let applied: JSONValue
            do {
                // The answer is not put in the cache: a watch event of a later version may already
                // be there, and the watch alone keeps the cache in order.
                applied = try await client.apply(object)
                await self.applied.remember(key, object)
            } catch let error as KubernetesError where error.isRefusal && desired.isRollout {
                // The cluster will never take these objects (a webhook or a quota said no): the release failed.
                guard let target = desired.target else { throw error }
                var report = StatusReport(app: desired.name)
                failRollout(desired, target: target, reason: "the cluster refused \(Self.key(object) ?? "an object"): \(error.message)", report: &report)
                try await store.report([report])
                return .after(.milliseconds(100))
            }
            if applied["kind"]?.stringValue == "Deployment",
               let process = applied["metadata"]?["labels"]?[KubernetesNames.componentLabel]?.stringValue {
                rollouts[process] = DeploymentRollout(applied)
            }
        }
        try await deleteObjects(of: desired.name, keeping: Set(desired.objects.compactMap(Self.key)))
        var report = StatusReport(app: desired.name)
        var result = ReconcileResult.done
        var failed = desired.failedNewest?.version
        var rollingOut = desired.isRollout
        if let target = desired.target, desired.isRollout {
            if let failure = rollouts.values.compactMap(\.failure).first {
                failRollout(desired, target: target, reason: failure, report: &report)
                failed = target.version
                rollingOut = false
                result = .after(.milliseconds(100))
            } else if rollouts.values.allSatisfy(\.isComplete) {
                completeRollout(desired, target: target, report: &report)
                rollingOut = false
            } else {
                result = .after(Self.rolloutPoll)
            }
        } else if !rollouts.values.allSatisfy(\.isComplete) {
            result = .after(Self.rolloutPoll)
        }
        let change = KubernetesStatus.change(
            generation: desired.generation, hasRelease: desired.target != nil, rollouts: rollouts, rollingOut: rollingOut ? desired.target?.version : nil,
            failed: failed)
        let generation = desired.generation, conflictMessage = conflict
        report.status = { status in
            change(&status)
            if let conflict = conflictMessage {
                status.setCondition(ConditionType.ready, false, reason: ConditionReason.nameConflict, message: conflict, observedGeneration: generation)
            }
        }
        try await store.report([report])
        return result
    }

    func failRollout(_ desired: KubernetesDesiredApp, target: Release, reason: String, report: inout StatusReport) {
        logger.warning("release failed", metadata: ["app": "\(desired.name)", "release": "\(target.version)", "reason": "\(reason)"])
        report.log(target.version, "Release v\(target.version) failed: \(reason)")
        report.setRelease(target.version, .failed)
        if let serving = desired.serving {
            report.log(target.version, "v\(serving.version) keeps serving; its objects are applied again")
        }
    }

    func completeRollout(_ desired: KubernetesDesiredApp, target: Release, report: inout StatusReport) {
        report.setRelease(target.version, .active)
        for release in desired.releases
        where release.version != target.version && (release.status == .active || release.status == .deploying) {
            report.setRelease(release.version, .superseded)
        }
        report.log(target.version, "Release v\(target.version) is active: every Deployment rolled out")
        logger.info("release active", metadata: ["app": "\(desired.name)", "release": "\(target.version)"])
    }

    /// Why `object` must not be applied for `app`, if it must not: a forced apply would take over
    /// an object of the same name that is not this app's.
    /// - Names are `<app>-<process>`, so app `a` with process `b-web` and app `a-b` with `web`
    ///   both name a Deployment `a-b-web`. The app that has it keeps it.
    /// - An object someone made by hand (without pvdify's labels) is never taken over. The cache
    ///   holds only pvdify's objects, so one it does not hold (a new object, or any while a watch
    ///   is down) is looked up before it is applied.
    func nameClash(_ key: String, _ object: JSONValue, live: JSONValue?, app: String) async throws -> String? {
        var found = live
        if found == nil, let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
           let resource = KubernetesResource.of(apiVersion: apiVersion, kind: kind), let name = object["metadata"]?["name"]?.stringValue
        {
            found = try await client.get(resource, name: name)
        }
        guard let found else { return nil }
        let labels = found["metadata"]?["labels"]
        guard labels?[KubernetesNames.managedByLabel]?.stringValue == KubernetesNames.managedBy else {
            return "\(key) already exists and was not made by pvdify; pvdify does not take it over: delete or rename it, or rename this app"
        }
        if let owner = KubernetesObjectCache.app(found), owner != app {
            return "\(key) belongs to app '\(owner)'; rename this app's process type so that its names differ"
        }
        return nil
    }

    /// Deletes the app's objects (found by its labels) whose `kind/name` is not in `keeping`: from
    /// the cache when every kind is watched, else by listing.
    func deleteObjects(of app: String, keeping: Set<String>) async throws {
        if await cache.isComplete {
            for key in await cache.keys(of: app) where !keeping.contains(key) {
                let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2, let resource = KubernetesResource.all.first(where: { $0.kind == parts[0] }) else { continue }
                logger.info("deleting object", metadata: ["app": "\(app)", "object": "\(key)"])
                try await client.delete(resource, name: parts[1])
                await cache.remove(key)
                await applied.forget(key)
            }
            return
        }
        for resource in KubernetesResource.all.reversed() {
            let listed = try await client.list(resource, labelSelector: KubernetesRequests.selector(app: app))
            for object in listed.items {
                guard let name = object["metadata"]?["name"]?.stringValue, !keeping.contains("\(resource.kind)/\(name)") else { continue }
                logger.info("deleting object", metadata: ["app": "\(app)", "object": "\(resource.kind)/\(name)"])
                try await client.delete(resource, name: name)
                await applied.forget("\(resource.kind)/\(name)")
            }
        }
    }

    /// `Kind/name` of a rendered object.
    static func key(_ object: JSONValue) -> String? { KubernetesObjectCache.key(object) }

    /// With the API server unreachable nothing is known: `Ready` says so, nothing else changes.
    func reportUnreachable(_ desired: KubernetesDesiredApp, error: KubernetesError) async throws {
        var report = StatusReport(app: desired.name)
        let generation = desired.generation
        report.status = { status in
            status.setCondition(ConditionType.ready, false, reason: ConditionReason.runtimeUnavailable,
                                message: "the Kubernetes API server is not reachable; the cluster keeps running what it has",
                                observedGeneration: generation)
        }
        try await store.report([report])
    }
}

/// What one app should run on the cluster, resolved from the store for one pass.
struct KubernetesDesiredApp: Sendable {
    var name: String
    var generation: Int
    /// Every release, newest first.
    var releases: [Release]
    /// The release to run: the newest one that has not failed.
    var target: Release?
    /// The release serving now (`active`).
    var serving: Release?
    /// The newest release, if it failed.
    var failedNewest: Release?
    /// The rendered objects of `target`, in apply order (none without a release).
    var objects: [JSONValue]

    /// A new release is rolling out.
    var isRollout: Bool { target != nil && target?.version != serving?.version }
}

/// The objects this pvdifyd applied last, by `Kind/name`.
actor AppliedObjects {
    private var objects: [String: JSONValue] = [:]

    /// Whether `object` is what was applied last at `key`.
    func matches(_ key: String, _ object: JSONValue) -> Bool { objects[key] == object }
    func remember(_ key: String, _ object: JSONValue) { objects[key] = object }
    func forget(_ key: String) { objects[key] = nil }
}
