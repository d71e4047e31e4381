import Hummingbird
import HummingbirdCore
import Logging
import Prometheus
import PvdifyStore

/// Builds the API exactly as the daemon runs it, so tests drive the same thing.
public enum PvdifyAPIServer {
    /// The router with every route and middleware, and the table of registered endpoints.
    public static func buildRouter(
        store: Store, logs: AppLogs, settings: APISettings, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) -> (Router<APIRequestContext>, RouteTable) {
        buildRouter(store: store, logs: logs, settings: settings, metrics: metrics, limiter: rateLimiter(settings), streams: TokenStreams())
    }

    static func rateLimiter(_ settings: APISettings) -> RateLimiter {
        RateLimiter(
            requestsPerMinute: settings.requestsPerMinute, deploysPerMinute: settings.deploysPerMinute,
            concurrentStreams: settings.concurrentLogStreams)
    }

    /// The router, with a rate limiter the connection layer shares (it answers some requests itself)
    /// and the registry of open streams the Admin UI shares (so a revocation ends its streams too).
    static func buildRouter(
        store: Store, logs: AppLogs, settings: APISettings, metrics: PrometheusCollectorRegistry, limiter: RateLimiter,
        streams: TokenStreams
    ) -> (Router<APIRequestContext>, RouteTable) {
        let router = Router(context: APIRequestContext.self)
        let access = AppAccess(store: store)
        let routes = RouteTable(router: router, access: access)
        // Middleware is added before routes: Hummingbird wraps each route when it is registered.
        let errors = ErrorEnvelope(routes: routes)
        router.add(middleware: RequestGate(store: store, limiter: limiter, errors: errors, routes: routes))
        router.add(middleware: errors)
        let services = APIServices(
            store: store, logs: logs, settings: settings, limiter: limiter, streams: streams, access: access)
        HealthController(services: services).register(in: routes)
        TokensController(services: services).register(in: routes)
        GitHubActionsTokensController(services: services).register(in: routes)
        AppsController(services: services).register(in: routes)
        ManifestController(services: services).register(in: routes)
        ApplyController(services: services).register(in: routes)
        ReleasesController(services: services).register(in: routes)
        ConfigController(services: services).register(in: routes)
        DomainsController(services: services).register(in: routes)
        ProcessesController(services: services).register(in: routes)
        LogsController(services: services).register(in: routes)
        PreviewsController(services: services).register(in: routes)
        MetricsController(registry: metrics).register(in: routes)
        AuditController(services: services).register(in: routes)
        SourcesController(services: services).register(in: routes)
        SealingKeyController(services: services).register(in: routes)
        SourceWebhookController(services: services).register(in: routes)
        GitHubWebhookController(services: services).register(in: routes)
        return (router, routes)
    }

    /// The HTTP server for the API (and the Admin UI, unless `settings.adminUI` is off) on
    /// `host:port`, with the connection limits and timeouts of `connections`.
    public static func buildApplication(
        store: Store, logs: AppLogs, settings: APISettings, metrics: PrometheusCollectorRegistry, host: String, port: Int,
        connections: ConnectionLimits = ConnectionLimits(), logger: Logger
    ) throws -> some ApplicationProtocol {
        let limiter = rateLimiter(settings)
        let streams = TokenStreams()
        let (router, _) = buildRouter(store: store, logs: logs, settings: settings, metrics: metrics, limiter: limiter, streams: streams)
        let api = router.buildResponder()
        // The Admin UI sits beside the API on its listener and sends its requests through `api`.
        let ui = try settings.adminUI
            ? AdminUI.buildResponder(api: api, store: store, settings: settings, limiter: limiter, streams: streams) : nil
        let clients = SlotsPerKey(limit: connections.maxConnectionsPerClient)
        let server = HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                responder: responder, limits: connections, clients: clients, maxBodyBytes: settings.maxBodyBytes,
                limiter: limiter)
        }
        return Application(
            responder: UIAndAPIResponder(api: api, ui: ui),
            server: server,
            configuration: .init(
                address: .hostname(host, port: port), serverName: "pvdifyd",
                // Past the total, Hummingbird stops accepting: new connections wait in the backlog.
                availableConnectionsDelegate: MaximumAvailableConnections(connections.maxConnections, logger: logger)),
            logger: logger)
    }
}
