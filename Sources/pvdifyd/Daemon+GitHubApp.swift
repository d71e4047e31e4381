import Logging
import Prometheus
import PvdifyControllers
import PvdifyDrivers
import PvdifyStore

/// The GitHub App part of the composition root: its key, its client, and the reconciler that
/// posts deployment statuses of previews.
extension Daemon {
    /// The App's client: a key file given now is stored (sealed) first, replacing the stored
    /// one; without one, the stored key is used. Nil without an App id or a key.
    func githubAppClient(store: Store) async throws -> GitHubAppClient? {
        if let pem = configuration.githubAppKeyPEM {
            try await store.storeGitHubAppKey(pem)
            logger.info("github: the App's private key from --github-app-key-file is stored encrypted")
        }
        guard let appID = configuration.githubAppID else {
            logger.info("github: --github-app-id is not set; no deployment statuses are posted")
            return nil
        }
        let pem: String?
        do {
            pem = try await store.githubAppKey()
        } catch {
            logger.error("github: the stored App key cannot be opened with this secret key; give --github-app-key-file again")
            return nil
        }
        guard let pem else {
            logger.warning("github: no App private key is stored; give --github-app-key-file once; no deployment statuses are posted")
            return nil
        }
        let key: GitHubAppKey
        do {
            key = try await GitHubAppKey(appID: appID, pem: pem)
        } catch {
            logger.error("github: the stored App key is unusable (\(error)); give --github-app-key-file again")
            return nil
        }
        logger.info("github: posting deployment statuses as the App", metadata: [
            "app_id": "\(appID)", "api": "\(configuration.githubAPIURL.absoluteString)",
        ])
        return GitHubAppClient(transport: GitHubTransport(baseURL: configuration.githubAPIURL), key: key)
    }

    /// The deployment reconciler's runner; with no client it only marks rows as not configured.
    func githubDeploymentController(store: Store, client: GitHubAppClient?, metrics: PrometheusCollectorRegistry) -> ControllerRunner {
        let host = configuration.listenHost.contains(":") ? "[\(configuration.listenHost)]" : configuration.listenHost
        let links = GitHubDeploymentLinks(
            appURLScheme: configuration.tls == .off ? "http" : "https", baseDomain: configuration.baseDomain,
            adminUIBase: configuration.adminUI ? configuration.publicURL ?? "http://\(host):\(configuration.listenPort)" : nil)
        let reconciler = GitHubDeploymentReconciler(store: store, github: client, links: links, logger: logger)
        return ControllerRunner(
            reconciler: reconciler, workers: 1, resyncInterval: configuration.resyncInterval.duration,
            triggers: reconciler.triggers(), metrics: ControllerMetrics(registry: metrics, reconciler: reconciler.name), logger: logger)
    }
}
