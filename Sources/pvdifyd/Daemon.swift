import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Prometheus
import PvdifyAPI
import PvdifyControllers
import PvdifyDrivers
import PvdifyModel
import PvdifyStore
import ServiceLifecycle

/// The composition root: opens the store, makes sure an admin token exists, and runs the API
/// (and, as they arrive, the reconcilers) until SIGTERM or SIGINT.
struct Daemon {
    let configuration: DaemonConfiguration
    let logger: Logger

    /// The store in SQLite (`<data-dir>/pvdify.sqlite`), or in PostgreSQL with `--database`.
    func openStore(secrets: SecretBox) async throws -> Store {
        guard let location = configuration.postgres else {
            return try Store(dataDirectory: configuration.dataDirectory, secrets: secrets)
        }
        // postgres-nio logs queries with their arguments at debug level; those stay out of the log.
        var databaseLogger = logger
        databaseLogger.logLevel = max(logger.logLevel, .info)
        return Store(database: try await PostgreSQLDatabase(location: location, logger: databaseLogger), secrets: secrets)
    }

    /// The id the containers carry: this data directory's, or on PostgreSQL the installation's,
    /// which every replica shares (a new leader adopts its predecessor's containers).
    func containerOwnerID(_ store: Store) async throws -> String {
        configuration.postgres == nil ? try InstanceID.load(configuration.dataDirectory) : try await store.installationID()
    }

    func run() async throws {
        DataDirectory.restrictNewFiles()
        try DataDirectory.secure(configuration.dataDirectory)
        let lock = try DataDirectory.lock(configuration.dataDirectory)
        defer { close(lock) }
        let connections = connectionLimitsWithinOpenFiles()
        let secrets = try SecretBox.load(dataDirectory: configuration.dataDirectory, environmentKey: configuration.secretKey)
        let store = try await openStore(secrets: secrets)
        try await bootstrapAdminToken(store)
        await ensureSealingKey(store)
        let logger = self.logger
        let logs = AppLogs(
            directory: configuration.dataDirectory.appendingPathComponent("logs", isDirectory: true),
            maxBytes: configuration.logMaxBytes,
            onError: { logger.error("logs: \($0); lines are kept in memory only") })
        // Logs of apps deleted while pvdifyd was down (or killed between the two deletes) go too.
        logs.retainOnly(Set(try await store.appNames()))
        var settings = APISettings(
            baseDomain: configuration.baseDomain,
            appURLScheme: configuration.tls == .off ? "http" : "https",
            requestsPerMinute: configuration.requestsPerMinute)
        settings.adminUI = configuration.adminUI
        settings.tlsMode = configuration.tls.rawValue
        settings.dnsManaged = configuration.cloudflareToken != nil
        settings.githubWebhookSecret = configuration.githubWebhookSecret
        settings.githubOIDC = GitHubOIDCVerifier(
            issuer: configuration.githubOIDCIssuer.absoluteString, audience: configuration.githubOIDCAudience,
            fetch: Self.fetchIssuerDocument)
        settings.githubAppID = configuration.githubAppID
        settings.githubAPIURL = configuration.githubAPIURL.absoluteString
        let githubApp = try await githubAppClient(store: store)
        let metrics = PrometheusCollectorRegistry()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var podmanClient: PodmanClient?
        var kubernetesClient: KubernetesClient?
        if let cluster = configuration.kubernetes {
            // The Kubernetes runtime: the cluster runs and routes the apps (Daemon+Kubernetes.swift).
            let (runner, client) = try kubernetesController(cluster, store: store, metrics: metrics)
            kubernetesClient = client
            services.append(.init(service: FailFast("the kubernetes reconciler", runner)))
        } else if configuration.podmanSocket != "off" {
            let socket = PodmanSocket.resolve(configured: configuration.podmanSocket, dataDirectory: configuration.dataDirectory)
            let client = PodmanClient(socketPath: socket.path)
            podmanClient = client
            let supervisor = PodmanService(
                socket: socket, client: client, logger: logger,
                logFile: configuration.dataDirectory.appendingPathComponent("podman-service.log"))
            services.append(.init(service: FailFast("the podman service", CancelOnShutdown { try await supervisor.run() })))
            let reconciler = ContainerReconciler(
                store: store,
                runtime: CountingRuntime(
                    PodmanRuntime(client: client, instance: try await containerOwnerID(store)), registry: metrics),
                logs: logs,
                insecureRegistries: configuration.insecureRegistries, routingEnabled: configuration.caddyAdmin != nil,
                logger: logger)
            services.append(.init(service: FailFast("the container reconciler", ControllerRunner(
                reconciler: reconciler, workers: 4, resyncInterval: configuration.resyncInterval.duration,
                triggers: reconciler.triggers(),
                metrics: ControllerMetrics(registry: metrics, reconciler: reconciler.name), logger: logger))))
            services.append(.init(service: FailFast("the log collector", reconciler.logCollector)))
        } else {
            logger.info("podman disabled (--podman-socket off): containers are not managed")
        }
        if configuration.runtime == .podman, let admin = configuration.caddyAdmin {
            let settings = RouteSettings(
                httpPort: configuration.proxyHTTPPort, httpsPort: configuration.proxyHTTPSPort,
                tls: configuration.tls,
                baseDomain: configuration.baseDomain, adminListen: "\(admin.host ?? "127.0.0.1"):\(admin.port ?? 2019)")
            let routes = RouteReconciler(store: store, caddy: CaddyClient(baseURL: admin), settings: settings, logger: logger)
            services.append(.init(service: FailFast("the route reconciler", ControllerRunner(
                reconciler: routes, workers: 1, resyncInterval: configuration.resyncInterval.duration,
                triggers: routes.triggers(), metrics: ControllerMetrics(registry: metrics, reconciler: routes.name),
                logger: logger))))
        } else if configuration.runtime == .podman {
            logger.info("routing disabled (--caddy-admin off): Caddy is not managed")
        }
        // GitOps: sources write App specs through the store; the reconcilers above take it from there.
        let sources = SourceReconciler(
            store: store, dataDirectory: configuration.dataDirectory,
            git: GitRunner(allowedProtocols: configuration.gitProtocols, observer: GitRunCounter(registry: metrics).observer),
            logger: logger)
        settings.sourcePreview = { try await sources.preview($0) }
        services.append(.init(service: ControllerRunner(
            reconciler: sources, workers: 2, resyncInterval: configuration.resyncInterval.duration,
            triggers: sources.triggers(), metrics: ControllerMetrics(registry: metrics, reconciler: sources.name), logger: logger)))
        // Previews: derived again when their parent changes; expired ones and preview apps without
        // a record are deleted.
        let previews = PreviewReconciler(store: store, logger: logger)
        services.append(.init(service: ControllerRunner(
            reconciler: previews, workers: 1, resyncInterval: configuration.resyncInterval.duration,
            triggers: previews.triggers(), metrics: ControllerMetrics(registry: metrics, reconciler: previews.name), logger: logger)))
        // GitHub deployment statuses of previews: see Daemon+GitHubApp.swift.
        services.append(.init(service: githubDeploymentController(store: store, client: githubApp, metrics: metrics)))
        // DNS reconciler (Cloudflare): see Daemon+DNS.swift.
        services.append(.init(service: FailFast("the DNS reconciler", dnsController(store: store, metrics: metrics))))
        // Several replicas on one PostgreSQL database: only the lease holder runs the reconcilers.
        if configuration.postgres != nil {
            let holder = "\(ProcessInfo.processInfo.hostName)/\(try InstanceID.load(configuration.dataDirectory))"
            let elector = LeaderElector(store: store, holder: holder, metrics: metrics, logger: logger)
            services = services.map { .init(service: LeaderOnly(elector, $0.service)) }
            services.insert(.init(service: FailFast("the leader election", CancelOnShutdown { try await elector.run() })), at: 0)
            settings.leadership = { elector.isLeader }
        }
        let api = try PvdifyAPIServer.buildApplication(
            store: store, logs: logs, settings: settings, metrics: metrics, host: configuration.listenHost,
            port: configuration.listenPort, connections: connections, logger: logger)
        // Services shut down in reverse order: log streams end first, so the API can finish its requests,
        // and the audit log is flushed after the API has answered its last request.
        services.append(.init(service: AuditFlusher(store: store, logger: logger)))
        let listen = "\(configuration.listenHost):\(configuration.listenPort)"
        services.append(.init(service: FailFast("the API server on \(listen)", api)))
        services.append(.init(service: LogStreamCloser(logs: logs)))
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // A part that does not finish its requests in time is cancelled rather than waited for.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(30)
        let group = ServiceGroup(configuration: groupConfiguration)
        logger.info("pvdifyd starting", metadata: [
            "listen": "\(configuration.listenHost):\(configuration.listenPort)",
            "data_dir": "\(configuration.dataDirectory.path)",
            "database": "\(configuration.postgres?.description ?? "sqlite")",
            "base_domain": "\(configuration.baseDomain)",
            "tls": "\(configuration.tls.rawValue)",
            "max_connections": "\(connections.maxConnections)",
            "max_connections_per_client": "\(connections.maxConnectionsPerClient)",
        ])
        do {
            try await group.run()
        } catch {
            // FailFast has said which part failed and why.
            try? await podmanClient?.shutdown()
            try? await kubernetesClient?.shutdown()
            try? store.close()
            throw ExitCode.failure
        }
        try? await podmanClient?.shutdown()
        try? await kubernetesClient?.shutdown()
        try store.close()
        logger.info("pvdifyd stopped")
    }

    /// The configured connection limits, with the total lowered to what the open-file limit allows
    /// (each connection is a file descriptor; the store, Podman and Caddy need some too).
    func connectionLimitsWithinOpenFiles() -> ConnectionLimits {
        var limits = configuration.connections
        let openFiles = OpenFileLimit.raiseToHardLimit()
        let reachable = max(16, openFiles - 256)
        if limits.maxConnections > reachable {
            logger.warning("the open-file limit lowers --max-connections", metadata: [
                "open_files": .stringConvertible(openFiles), "max_connections": .stringConvertible(reachable),
            ])
            limits.maxConnections = reachable
        }
        return limits
    }

    /// The sealing key pair is made on first start. A store whose sealing key the secret key cannot
    /// open (restored without its key) still runs: only applies with sealed secrets fail.
    func ensureSealingKey(_ store: Store) async {
        do {
            let key = try await store.sealingKey()
            logger.info("sealing key ready", metadata: ["recipient": "\(key.recipient)"])
        } catch {
            logger.error("the sealing key cannot be read with this secret key; sealed secrets will not open", metadata: [
                "error": "\(error)",
            ])
        }
    }

    /// `PVDIFY_BOOTSTRAP_TOKEN` is made sure of at every start; otherwise the first start makes an
    /// admin token, writes it to `<data-dir>/admin-token` (0600) and prints it this once.
    func bootstrapAdminToken(_ store: Store) async throws {
        if let secret = configuration.bootstrapToken {
            if try await store.ensureToken(name: "admin", scopes: [.admin], secret: secret) {
                logger.info("bootstrap admin token registered from PVDIFY_BOOTSTRAP_TOKEN")
            }
            return
        }
        guard try await store.tokens().isEmpty else { return }
        let (_, secret) = try await store.createToken(name: "admin", scopes: [.admin], apps: nil)
        let file = configuration.dataDirectory.appendingPathComponent("admin-token")
        try PrivateFile.write(secret + "\n", to: file)
        let notice = "pvdifyd: created the admin token (shown once; also in \(file.path)):\n\(secret)\n"
        FileHandle.standardOutput.write(Data(notice.utf8))
    }
}

/// Runs a long task as a service, cancelling it when graceful shutdown begins.
struct CancelOnShutdown: Service {
    let body: @Sendable () async throws -> Void

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await body() }
    }
}

/// Ends open log streams when shutdown begins, so the HTTP server can finish its requests.
struct LogStreamCloser: Service {
    let logs: AppLogs

    func run() async throws {
        try? await gracefulShutdown()
        logs.finishAll()
    }
}
