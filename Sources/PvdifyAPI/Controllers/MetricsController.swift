import Hummingbird
import Prometheus

/// `/metrics`: the reconcilers' (and API's) metrics in Prometheus text format; needs `read`.
struct MetricsController {
    let registry: PrometheusCollectorRegistry

    func register(in routes: RouteTable) {
        routes.add(.get, "/metrics", scope: .read, metrics)
    }

    @Sendable func metrics(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        .text(registry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
