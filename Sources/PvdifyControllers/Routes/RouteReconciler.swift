import Foundation
import Logging
import PvdifyDrivers
import PvdifyModel
import PvdifyStore

/// Converges Caddy to serve every app at `<app>.<base-domain>` and its domains, on its healthy web
/// instances' upstreams; reports which upstreams are live (so old instances stop only after the
/// switch), domain status and TLS, and a `RoutesReady` condition. One key: all routes live in one
/// Caddy config, so any change or event reconciles the whole of pvdify's part of it.
public final class RouteReconciler: Reconciler {
    public let name = "routes"
    /// The single work-queue key of this reconciler.
    public static let key = "caddy"

    let store: Store
    let caddy: CaddyClient
    let settings: RouteSettings
    let probe: any TLSProbe
    let logger: Logger
    let rootCertificate = RootCertificateCache()

    public init(store: Store, caddy: CaddyClient, settings: RouteSettings, logger: Logger) {
        self.store = store
        self.caddy = caddy
        self.settings = settings
        self.probe = HTTPSHandshakeProbe()
        self.logger = logger
    }

    public func resyncKeys() async throws -> [String] { [Self.key] }

    /// Store changes (apps, domains) and status changes (new upstreams), folded into the one key.
    public func triggers() -> [@Sendable () -> AsyncStream<String>] {
        let store = self.store
        return [
            { Self.folded(store.changes.subscribe()) },
            { Self.folded(store.statusChanges.subscribe()) },
        ]
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
        let views = try await store.apps()
        let routes = views.map { view in
            AppRoute(app: view.app.name, hosts: [settings.appHost(view.app.name)] + view.domains, upstreams: view.status?.upstreams ?? [])
        }
        do {
            try await apply(routes)
        } catch {
            for view in views {
                try await store.updateStatus(view.app.name) { status in
                    status.setCondition(ConditionType.routesReady, false, reason: ConditionReason.caddyUnavailable,
                                        message: "\(error)".prefix(300).description)
                }
            }
            throw error
        }
        for route in routes {
            try await store.updateStatus(route.app) { status in
                status.routedUpstreams = route.upstreams
                status.setCondition(ConditionType.routesReady, true, reason: ConditionReason.routesLive)
            }
        }
        let pendingTLS = try await updateDomains(views)
        return pendingTLS ? .after(.seconds(1)) : .done
    }

    /// Reads Caddy's config and replaces it only if pvdify's part differs; retries when someone
    /// else changed the config in between (412).
    func apply(_ routes: [AppRoute]) async throws {
        for attempt in 1...5 {
            let (current, etag) = try await caddy.config()
            let desired = CaddyConfigBuilder.merged(current: current, routes: routes, settings: settings)
            guard desired != current else { return }
            do {
                if current == .null {
                    try await caddy.load(desired)
                } else {
                    try await caddy.replace(desired, etag: etag)
                }
                logger.info("caddy routes updated", metadata: ["apps": "\(routes.count)", "upstreams": "\(routes.map { "\($0.app)=\($0.upstreams)" })"])
                return
            } catch let error as CaddyError where error.isConflict && attempt < 5 {
                continue
            }
        }
    }

    /// Domains become `active` once routed (and, with TLS, once their certificate is served);
    /// `ssl` is true only when a handshake for the name succeeds. Returns whether some still wait.
    func updateDomains(_ views: [AppView]) async throws -> Bool {
        let domains = try await store.allDomains()
        guard !domains.isEmpty else { return false }
        var secured: Set<String> = []
        if settings.tls != .off {
            let root = settings.tls == .internal ? await rootCertificate.get(caddy) : nil
            secured = await probe.handshakes(hosts: domains.filter { !$0.ssl }.map(\.name), port: settings.httpsPort, rootPEM: root)
            secured.formUnion(domains.filter(\.ssl).map(\.name))
        }
        var waiting = false
        for domain in domains {
            let ssl = secured.contains(domain.name)
            let live = settings.tls == .off || ssl
            if !live { waiting = true }
            // Verification belongs to the DNS reconciler: a verifying domain keeps its status.
            let status: DomainStatus = domain.status == .verifying ? .verifying : (live ? .active : .provisioning)
            if status != domain.status || ssl != domain.ssl {
                try await store.setDomainStatus(domain.name, status: status, ssl: ssl, message: domain.message)
            }
        }
        return waiting
    }
}

/// Caddy's local root certificate, fetched once.
actor RootCertificateCache {
    private var pem: String?

    func get(_ caddy: CaddyClient) async -> String? {
        if let pem { return pem }
        pem = try? await caddy.localRootCertificate()
        return pem
    }
}
