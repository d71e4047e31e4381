/// Renders an app as the Kubernetes objects that would run it: one Secret with its config and
/// secrets, a Deployment per process type, and for the web process a Service and (with custom
/// domains) an Ingress with TLS. Pure: the same app gives the same objects.
public enum KubernetesRenderer {
    /// The process type that serves HTTP, as in the Podman runtime.
    public static let webProcess = "web"
    /// Workers must stay up this long before they count as available, as pvdify's own rollouts ask.
    public static let workerMinReadySeconds = 10

    /// The objects in apply order: the Secret first (the Deployments read it), then the
    /// Deployments by process type, then the Service and the Ingress.
    public static func objects(_ app: KubernetesApp) -> [JSONValue] {
        var objects = [secret(app)]
        objects += app.spec.processes.keys.sorted().map { deployment(app, process: $0) }
        if app.spec.processes[webProcess] != nil {
            objects.append(service(app))
            if !app.domains.isEmpty { objects.append(ingress(app)) }
        }
        return objects
    }

    /// Config vars and secrets, as `envFrom` reads them. Secrets the caller only knows by name are
    /// empty, and the annotation lists them for the user to fill in.
    public static func secret(_ app: KubernetesApp) -> JSONValue {
        var data = app.config.merging(app.secrets) { _, secret in secret }
        for name in app.secretsToFillIn where data[name] == nil { data[name] = "" }
        var annotations = releaseAnnotations(app)
        let fillIn = app.secretsToFillIn.filter { app.secrets[$0] == nil }.sorted()
        if !fillIn.isEmpty { annotations[KubernetesNames.fillInAnnotation] = .string(fillIn.joined(separator: ",")) }
        return [
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": metadata(app, name: KubernetesNames.secret(app: app.name), component: nil, annotations: annotations),
            "type": "Opaque",
            "stringData": .map(data),
        ]
    }

    /// One process type: `count` replicas of the release's image, rolled one new pod at a time
    /// without taking an old one down first (maxUnavailable 0, maxSurge 1).
    public static func deployment(_ app: KubernetesApp, process: String) -> JSONValue {
        let spec = app.spec.processes[process] ?? ProcessSpec(command: nil, count: 0)
        let isWeb = process == webProcess
        var container: [String: JSONValue] = [
            "name": .string(process),
            "image": .string(app.image),
            "env": [["name": "PORT", "value": .string(String(app.port))]],
            "envFrom": [["secretRef": ["name": .string(KubernetesNames.secret(app: app.name))]]],
        ]
        // pvdify runs a command through a shell; without one the image's own command runs.
        if let command = spec.command { container["command"] = ["/bin/sh", "-c", .string(command)] }
        if let resources = resources(app.spec.resources) { container["resources"] = resources }
        var deploymentSpec: [String: JSONValue] = [
            "replicas": .int(spec.count),
            "selector": ["matchLabels": .object(selectorLabels(app, component: process))],
            "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": 1]],
        ]
        if isWeb {
            container["ports"] = [["name": "http", "containerPort": .int(app.port), "protocol": "TCP"]]
            let check = app.spec.healthcheck
            container["readinessProbe"] = [
                "httpGet": ["path": .string(check.path), "port": "http"],
                "periodSeconds": .int(KubernetesQuantities.seconds(check.interval)),
                "timeoutSeconds": .int(KubernetesQuantities.seconds(check.timeout)),
            ]
            // A rollout that is not ready within the deploy timeout is reported as failed.
            deploymentSpec["progressDeadlineSeconds"] = .int(KubernetesQuantities.seconds(check.deployTimeout))
        } else {
            deploymentSpec["minReadySeconds"] = .int(workerMinReadySeconds)
        }
        deploymentSpec["template"] = [
            "metadata": ["labels": .object(labels(app, component: process)), "annotations": .object(releaseAnnotations(app))],
            "spec": ["containers": [.object(container)]],
        ]
        return [
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": metadata(app, name: KubernetesNames.deployment(app: app.name, process: process), component: process),
            "spec": .object(deploymentSpec),
        ]
    }

    /// The web pods behind one cluster address, on port 80.
    public static func service(_ app: KubernetesApp) -> JSONValue {
        [
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": metadata(app, name: KubernetesNames.web(app: app.name), component: webProcess),
            "spec": [
                "type": "ClusterIP",
                "selector": .object(selectorLabels(app, component: webProcess)),
                "ports": [["name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"]],
            ],
        ]
    }

    /// The app's custom domains routed to its Service, with TLS from one Secret per app.
    public static func ingress(_ app: KubernetesApp) -> JSONValue {
        let hosts = app.domains.sorted()
        let backend: JSONValue = ["service": ["name": .string(KubernetesNames.web(app: app.name)), "port": ["name": "http"]]]
        return [
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": metadata(app, name: KubernetesNames.web(app: app.name), component: webProcess),
            "spec": [
                "tls": [["hosts": .strings(hosts), "secretName": .string(KubernetesNames.tlsSecret(app: app.name))]],
                "rules": .array(hosts.map { host in
                    ["host": .string(host), "http": ["paths": [["path": "/", "pathType": "Prefix", "backend": backend]]]]
                }),
            ],
        ]
    }

    /// Limits only, as the Podman runtime sets them; Kubernetes then requests the same.
    static func resources(_ resources: Resources) -> JSONValue? {
        var limits: [String: JSONValue] = [:]
        if let memory = resources.memory { limits["memory"] = .string(KubernetesQuantities.memory(memory)) }
        if let cpu = resources.cpu { limits["cpu"] = .string(KubernetesQuantities.cpu(cpu)) }
        return limits.isEmpty ? nil : ["limits": .object(limits)]
    }

    static func metadata(
        _ app: KubernetesApp, name: String, component: String?, annotations: [String: JSONValue]? = nil
    ) -> JSONValue {
        var metadata: [String: JSONValue] = [
            "name": .string(name),
            "labels": .object(labels(app, component: component)),
            "annotations": .object(annotations ?? releaseAnnotations(app)),
        ]
        if let namespace = app.namespace { metadata["namespace"] = .string(namespace) }
        return .object(metadata)
    }

    static func labels(_ app: KubernetesApp, component: String?) -> [String: JSONValue] {
        var labels = selectorLabels(app, component: component)
        labels[KubernetesNames.managedByLabel] = .string(KubernetesNames.managedBy)
        return labels
    }

    /// The labels a selector matches: never the release, since a Deployment's selector cannot change.
    static func selectorLabels(_ app: KubernetesApp, component: String?) -> [String: JSONValue] {
        var labels: [String: JSONValue] = [KubernetesNames.nameLabel: .string(app.name)]
        if let component { labels[KubernetesNames.componentLabel] = .string(component) }
        return labels
    }

    static func releaseAnnotations(_ app: KubernetesApp) -> [String: JSONValue] {
        [KubernetesNames.releaseAnnotation: .string(String(app.release))]
    }
}
