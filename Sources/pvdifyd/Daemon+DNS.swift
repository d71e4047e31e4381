import Logging
import Prometheus
import PvdifyControllers
import PvdifyDrivers
import PvdifyStore

/// The DNS part of the composition root.
extension Daemon {
    /// The DNS reconciler's runner. With `CLOUDFLARE_API_TOKEN` it manages custom domains' records on
    /// Cloudflare (the token is checked at its first resync, right at start-up); without one it only
    /// reports, per domain, that DNS is not managed (the domains still route through Caddy).
    func dnsController(store: Store, metrics: PrometheusCollectorRegistry) -> ControllerRunner {
        let cloudflare = configuration.cloudflareToken.map { token in
            CloudflareClient(baseURL: configuration.cloudflareAPIURL, token: token, logger: logger)
        }
        let target = configuration.dnsTarget.flatMap(DNSTarget.init)
        if cloudflare == nil {
            logger.info("dns: CLOUDFLARE_API_TOKEN is not set; DNS is not managed (custom domains still route)")
        } else if let text = configuration.dnsTarget, target == nil {
            logger.error("dns: --dns-target is neither an IP address nor a hostname; no address record can be made", metadata: ["dns_target": "\(text)"])
        } else if target == nil {
            logger.warning("dns: --dns-target is not set; no address record can be made (verification still works)")
        } else {
            logger.info("dns: managing custom domains on Cloudflare", metadata: [
                "api": "\(configuration.cloudflareAPIURL.absoluteString)", "dns_target": "\(target!)",
            ])
        }
        let reconciler = DNSReconciler(
            store: store, cloudflare: cloudflare, target: target, baseDomain: configuration.baseDomain, logger: logger)
        return ControllerRunner(
            reconciler: reconciler, workers: 2, resyncInterval: configuration.resyncInterval.duration,
            triggers: reconciler.triggers(),
            metrics: ControllerMetrics(registry: metrics, reconciler: reconciler.name), logger: logger)
    }
}
