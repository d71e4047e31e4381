import Prometheus

/// The runner's Prometheus metrics, per reconciler: passes, errors, queue depth, pass duration.
public struct ControllerMetrics: Sendable {
    let reconciles: Counter
    let errors: Counter
    let queueDepth: Gauge
    let duration: DurationHistogram

    public init(registry: PrometheusCollectorRegistry, reconciler: String) {
        let labels = [("reconciler", reconciler)]
        reconciles = registry.makeCounter(
            descriptor: .init(namespace: "pvdify", metricName: "reconciles", unitName: "total", helpText: "Reconcile passes run"),
            labels: labels)
        errors = registry.makeCounter(
            descriptor: .init(namespace: "pvdify", metricName: "reconcile_errors", unitName: "total", helpText: "Reconcile passes that failed"),
            labels: labels)
        queueDepth = registry.makeGauge(
            descriptor: .init(namespace: "pvdify", metricName: "queue_depth", unitName: "", helpText: "Keys waiting in the work queue"),
            labels: labels)
        duration = registry.makeDurationHistogram(
            descriptor: .init(namespace: "pvdify", metricName: "reconcile_duration", unitName: "seconds", helpText: "Duration of reconcile passes"),
            labels: labels,
            buckets: [.milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5), .seconds(30)])
    }
}
