import Foundation
import Logging
import Prometheus
import PvdifyControllers
import PvdifyDrivers
import PvdifyStore

/// What converges apps: Podman on this server (the default), or a Kubernetes cluster.
enum DaemonRuntime: String, Sendable {
    case podman, kubernetes
}

extension DaemonConfiguration {
    /// The runtime from `--runtime`/`PVDIFY_RUNTIME`, and for `kubernetes` the cluster to use:
    /// `--kubeconfig` (else `KUBECONFIG`) or, inside a pod, its service account.
    static func runtime(
        _ text: String?, kubeconfig: String?, namespace: String?, environment: [String: String]
    ) throws -> (DaemonRuntime, KubernetesConfig?) {
        guard let runtime = DaemonRuntime(rawValue: text ?? "podman") else {
            throw Invalid(description: "--runtime must be podman or kubernetes")
        }
        guard runtime == .kubernetes else {
            if kubeconfig != nil || namespace != nil {
                throw Invalid(description: "--kubeconfig and --kubernetes-namespace need --runtime kubernetes")
            }
            return (runtime, nil)
        }
        do {
            if let path = kubeconfig ?? environment["KUBECONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
                return (runtime, try KubernetesConfig.kubeconfig(at: path, namespace: namespace))
            }
            return (runtime, try KubernetesConfig.inCluster(environment: environment, namespace: namespace))
        } catch let error as KubernetesConfig.Invalid {
            throw Invalid(description: "--runtime kubernetes: \(error.description)")
        }
    }
}

/// The Kubernetes part of the composition root.
extension Daemon {
    /// The Kubernetes reconciler's runner and its client (shut down by the caller at the end).
    func kubernetesController(
        _ config: KubernetesConfig, store: Store, metrics: PrometheusCollectorRegistry
    ) throws -> (ControllerRunner, KubernetesClient) {
        let client = try KubernetesClient(config: config)
        logger.info("kubernetes runtime: apps are converged on the cluster; Podman and Caddy are not managed", metadata: [
            "server": "\(config.server.absoluteString)", "namespace": "\(config.namespace)",
        ])
        let reconciler = KubernetesReconciler(store: store, client: client, logger: logger)
        let runner = ControllerRunner(
            reconciler: reconciler, workers: 4, resyncInterval: configuration.resyncInterval.duration,
            triggers: reconciler.triggers(), metrics: ControllerMetrics(registry: metrics, reconciler: reconciler.name),
            logger: logger)
        return (runner, client)
    }
}
