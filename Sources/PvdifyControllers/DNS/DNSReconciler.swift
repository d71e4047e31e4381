import Foundation
import Logging
import PvdifyDrivers
import PvdifyModel
import PvdifyStore

/// Converges the Cloudflare DNS records of each app's custom domains: an address record pointing at
/// `--dns-target` and, once verification is asked, a `_pvdify-verify.<domain>` TXT record; both marked
/// with `pvdify:app=<app>`. Only marked records are ever changed or deleted; a record of the same name
/// that pvdify does not own is reported as a conflict and left alone. Writes each domain's DNS report
/// (not its `status`, which routing owns, except `verifying` → `active`) and the app's `DNSReady`
/// condition, and only when they change. Without a token it only reports that DNS is not managed.
/// A preview app also gets an address record at its URL host, `<preview>.<base-domain>`, when a zone
/// covers it: previews come and go with pull requests, and their records must go with them.
public final class DNSReconciler: Reconciler {
    public let name = "dns"
    let store: Store
    let cloudflare: CloudflareClient?
    let target: DNSTarget?
    let proxied: Bool
    let baseDomain: String?
    let zoneMaxAge: Duration
    let logger: Logger
    let token: TokenCheck
    let zoneCache = ZoneCache()
    let ownedZones = OwnedZones()

    /// - Parameters:
    ///   - cloudflare: nil without `CLOUDFLARE_API_TOKEN`: DNS is not managed.
    ///   - target: `--dns-target`, parsed; nil when unset or invalid (records cannot be made then).
    ///   - proxied: whether address records go through Cloudflare's proxy.
    ///   - baseDomain: `--base-domain`: preview apps get a record at `<preview>.<base-domain>`; nil: none.
    ///   - zoneMaxAge: how old the zone list may be in a pass (resyncs list zones again anyway).
    public init(
        store: Store, cloudflare: CloudflareClient?, target: DNSTarget?, proxied: Bool = true, baseDomain: String? = nil,
        zoneMaxAge: Duration = .seconds(60), logger: Logger
    ) {
        self.store = store
        self.cloudflare = cloudflare
        self.target = target
        self.proxied = proxied
        self.baseDomain = baseDomain
        self.zoneMaxAge = zoneMaxAge
        self.logger = logger
        self.token = TokenCheck(logger: logger)
    }

    /// The store changes DNS acts on: domains and deleted apps (whose records must go), nothing else.
    public static let changeKinds: Set<Change.Kind> = [.domains, .deleted]

    /// Store changes of its kinds; with DNS managed, new apps too (a new preview's record).
    public func triggers() -> [@Sendable () -> AsyncStream<String>] {
        let store = self.store
        let kinds = cloudflare == nil ? Self.changeKinds : Self.changeKinds.union([.created])
        return [{ store.changes.apps(kinds) }]
    }

    /// Every app, and every app some zone still holds marked records of (deleted apps, whose records
    /// must go). Checks the token first while it is not known to be good. Without a token there is
    /// nothing to watch: only apps with a domain not yet reported as unmanaged (none, once they are).
    public func resyncKeys() async throws -> [String] {
        guard let cloudflare else {
            return Set(try await store.allDomains().filter { $0.dns?.state != .unmanaged }.map(\.app)).sorted()
        }
        var keys = Set(try await store.appNames())
        do {
            guard try await token.check(cloudflare, recheck: true) == .valid else { return keys.sorted() }
            var found: [String: Set<String>] = [:]
            for zone in try await zoneCache.refresh(cloudflare) {
                for record in try await cloudflare.records(zoneID: zone.id, DNSRecordFilter(commentPrefix: DNSMarker.prefix)) {
                    if let app = DNSMarker.owner(of: record.comment) { found[app, default: []].insert(zone.id) }
                }
            }
            await ownedZones.merge(found)
            keys.formUnion(found.keys)
        } catch {
            logger.warning("dns: resync scan of Cloudflare failed", metadata: ["error": "\(error)"])
        }
        return keys.sorted()
    }

    public func reconcile(_ app: String) async throws -> ReconcileResult {
        let domains = try await currentDomains(app)
        guard let cloudflare else {
            try await write(app, domains, mode: .unmanaged)
            return .done
        }
        if case .invalid(let why) = try await token.check(cloudflare) {
            try await write(app, domains, mode: .tokenRejected(why))
            return .done
        }
        do {
            let hosts = try await previewHosts(app)
            let pass = try await converge(app, domains: domains, hosts: hosts, cloudflare)
            for host in hosts {
                if case .conflict(let records)? = pass.outcomes[host]?.address {
                    logger.warning("dns: a record pvdify does not own holds the preview's host; left alone", metadata: [
                        "app": "\(app)", "host": "\(host)", "records": "\(records.map { "\($0.type) \($0.content)" })",
                    ])
                }
            }
            try await write(app, domains, mode: .managed(pass.outcomes), outcomes: pass.outcomes)
            return pass.unconfirmed ? .after(.seconds(1)) : .done
        } catch let error as CloudflareError where error.isAuthentication {
            // A token that verifies but may not touch this zone (missing DNS Edit permission).
            try await write(app, domains, mode: .tokenRejected(error.summary))
            return .done
        } catch let error as CloudflareError where error.isRateLimited && error.retryAfter != nil {
            // Cloudflare asked for a longer wait than the transport holds a pass for: come back then.
            logger.notice("dns: rate limited by Cloudflare", metadata: ["app": "\(app)", "retry_in": "\(error.retryAfter!)"])
            return .after(error.retryAfter!)
        }
    }

    /// `<app>.<base-domain>` for a preview app; none for any other app, or once it is deleted (so its record goes).
    func previewHosts(_ app: String) async throws -> [String] {
        guard let baseDomain else { return [] }
        do {
            return try await store.app(app).app.previewOf == nil ? [] : ["\(app).\(baseDomain)"]
        } catch StoreError.notFound {
            return []
        }
    }

    /// The app's domains; none once the app is deleted (so its records go).
    func currentDomains(_ app: String) async throws -> [Domain] {
        do {
            return try await store.domains(app)
        } catch StoreError.notFound {
            return []
        }
    }

    /// Writes each domain's DNS report and the app's condition, each only when it changed, and the
    /// domains confirmed verified, all in one transaction.
    func write(_ app: String, _ domains: [Domain], mode: DNSReport.Mode, outcomes: [String: DomainOutcome] = [:]) async throws {
        let (reports, condition) = DNSReport.make(app: app, domains: domains, mode: mode, target: target)
        var report = StatusReport(app: app)
        for domain in domains where domain.dns != reports[domain.name] {
            let dns = reports[domain.name]
            report.domainDNS.append((domain.name, dns))
            let level: Logger.Level = dns?.state == .conflict || dns?.state == .error ? .warning : .info
            logger.log(level: level, "dns: domain \(dns?.state.rawValue ?? "pending")", metadata: [
                "app": "\(app)", "domain": "\(domain.name)", "message": "\(dns?.message ?? "")",
            ])
        }
        for domain in domains where domain.status == .verifying {
            guard case .confirmed(let token)? = outcomes[domain.name]?.verification, token == domain.verifyToken else { continue }
            report.verified.append((domain.name, token))
        }
        let generation: Int
        do {
            generation = try await store.app(app).app.generation
        } catch StoreError.notFound {
            return
        }
        report.status = { status in
            status.setCondition(ConditionType.dnsReady, condition.ready, reason: condition.reason, message: condition.message,
                                observedGeneration: generation)
        }
        for name in try await store.report([report]) {
            logger.info("dns: domain verified", metadata: ["app": "\(app)", "domain": "\(name)"])
        }
    }
}
