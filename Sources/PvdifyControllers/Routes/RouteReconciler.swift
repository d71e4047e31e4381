import Foundation
import Logging
import PvdifyDrivers
import PvdifyModel
import PvdifyStore
import Synchronization

/// Converges Caddy to serve every app at `<app>.<base-domain>` and its domains, on its healthy web
/// instances' upstreams; reports which upstreams are live (so old instances stop only after the
/// switch), domain status and TLS, and a `RoutesReady` condition. One key: all routes live in one
/// Caddy config, so any change or event reconciles the whole of pvdify's part of it.
public final class RouteReconciler: Reconciler {
    public let name = "routes"
    /// The single work-queue key of this reconciler.
    public static let key = "caddy"

    let store: Store
    let caddy: any CaddyAdmin
    let settings: RouteSettings
    let probe: any TLSProbe
    let logger: Logger
    let rootCertificate = RootCertificateCache()
    /// The store revision and Caddy ETag of the last pass that found Caddy already serving the
    /// store's routes: while both stay the same, a pass skips reading every app and rebuilding the
    /// config. The ETag hashes Caddy's whole config, so a change made to it by hand still shows.
    let converged = Mutex<Converged?>(nil)

    struct Converged: Equatable {
        var revision: Int
        var etag: String
    }

    public init(store: Store, caddy: any CaddyAdmin, settings: RouteSettings, logger: Logger) {
        self.store = store
        self.caddy = caddy
        self.settings = settings
        self.probe = HTTPSHandshakeProbe()
        self.logger = logger
    }

    public func resyncKeys() async throws -> [String] { [Self.key] }

    /// The store changes routing acts on: new and deleted apps, domains, and upstreams (status).
    /// Domains waiting for TLS bring the pass back by themselves.
    public static let changeKinds: Set<Change.Kind> = [.created, .domains, .upstreams, .deleted]

    /// Store changes of its kinds, folded into the one key.
    public func triggers() -> [@Sendable () -> AsyncStream<String>] {
        let store = self.store
        return [{ Self.folded(store.changes.apps(Self.changeKinds)) }]
    }

    static func folded(_ stream: AsyncStream<String>) -> AsyncStream<String> {
        AsyncStream { continuation in
            let task = Task {
                for await _ in stream { continuation.yield(key) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func reconcile(_ key: String) async throws -> ReconcileResult {
        let revision = store.changes.revision
        if let last = converged.withLock({ $0 }), last.revision == revision, (try? await caddy.configETag()) == last.etag {
            return try await reportDomains([:])
        }
        converged.withLock { $0 = nil }
        let views = try await store.apps()
        let routes = views.map { view in
            AppRoute(app: view.app.name, hosts: [settings.appHost(view.app.name)] + view.domains, upstreams: view.status?.upstreams ?? [])
        }
        let unchangedETag: String?
        do {
            unchangedETag = try await apply(routes)
        } catch {
            let message = "\(error)".prefix(300).description
            try await store.report(views.map { view in
                var report = StatusReport(app: view.app.name)
                let generation = view.app.generation
                report.status = { status in
                    status.setCondition(ConditionType.routesReady, false, reason: ConditionReason.caddyUnavailable,
                                        message: message, observedGeneration: generation)
                }
                return report
            })
            throw error
        }
        var reports: [String: StatusReport] = [:]
        for (view, route) in zip(views, routes) {
            var report = StatusReport(app: route.app)
            let generation = view.app.generation
            report.status = { status in
                status.routedUpstreams = route.upstreams
                status.setCondition(ConditionType.routesReady, true, reason: ConditionReason.routesLive, observedGeneration: generation)
            }
            reports[route.app] = report
        }
        let result = try await reportDomains(reports)
        if let unchangedETag { converged.withLock { $0 = Converged(revision: revision, etag: unchangedETag) } }
        return result
    }

    /// Adds the domain states that change to `reports` and writes what the pass learned, in one
    /// transaction and only what changed; comes back soon while domains wait for TLS.
    func reportDomains(_ reports: [String: StatusReport]) async throws -> ReconcileResult {
        var reports = reports
        let (domainStates, pendingTLS) = try await domainStates()
        for state in domainStates { reports[state.app, default: StatusReport(app: state.app)].domainStates.append(state.state) }
        try await store.report(reports.keys.sorted().compactMap { reports[$0] })
        return pendingTLS ? .after(.seconds(1)) : .done
    }

    /// Reads Caddy's config and replaces it only if pvdify's part differs; retries when someone
    /// else changed the config in between (412). Answers the ETag when the config already matched.
    func apply(_ routes: [AppRoute]) async throws -> String? {
        for attempt in 1...5 {
            let (current, etag) = try await caddy.config()
            let desired = CaddyConfigBuilder.merged(current: current, routes: routes, settings: settings)
            guard desired != current else { return etag }
            do {
                if current == .null {
                    try await caddy.load(desired)
                } else {
                    try await caddy.replace(desired, etag: etag)
                }
                logger.info("caddy routes updated", metadata: ["apps": "\(routes.count)", "upstreams": "\(routes.map { "\($0.app)=\($0.upstreams)" })"])
                return nil
            } catch let error as CaddyError where error.isConflict && attempt < 5 {
                continue
            }
        }
        return nil
    }

    /// Domains become `active` once routed (and, with TLS, once their certificate is served);
    /// `ssl` is true only when a handshake for the name succeeds. Answers the domains whose state
    /// changes, and whether some still wait for TLS.
    func domainStates() async throws -> ([(app: String, state: StatusReport.DomainState)], Bool) {
        let domains = try await store.allDomains()
        guard !domains.isEmpty else { return ([], false) }
        var secured: Set<String> = []
        if settings.tls != .off {
            let root = settings.tls == .internal ? await rootCertificate.get(caddy) : nil
            secured = await probe.handshakes(hosts: domains.filter { !$0.ssl }.map(\.name), port: settings.httpsPort, rootPEM: root)
            secured.formUnion(domains.filter(\.ssl).map(\.name))
        }
        var waiting = false
        var states: [(app: String, state: StatusReport.DomainState)] = []
        for domain in domains {
            let ssl = secured.contains(domain.name)
            let live = settings.tls == .off || ssl
            if !live { waiting = true }
            // Verification belongs to the DNS reconciler: a verifying domain keeps its status.
            let status: DomainStatus = domain.status == .verifying ? .verifying : (live ? .active : .provisioning)
            if status != domain.status || ssl != domain.ssl {
                states.append((domain.app, StatusReport.DomainState(name: domain.name, status: status, ssl: ssl, message: domain.message)))
            }
        }
        return (states, waiting)
    }
}

/// Caddy's local root certificate, fetched once.
actor RootCertificateCache {
    private var pem: String?

    func get(_ caddy: any CaddyAdmin) async -> String? {
        if let pem { return pem }
        pem = try? await caddy.localRootCertificate()
        return pem
    }
}
