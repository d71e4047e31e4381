import Foundation
import Testing
@testable import PvdifyModel

/// The Kubernetes objects rendered from an app: every field the runtime promises, valid names,
/// workers without Service or probe, and the same text for the same app.
@Suite struct KubernetesRendererTests {
    static func shop(namespace: String? = nil) -> KubernetesApp {
        let spec = AppSpec(
            image: "registry.example.com/shop:v7",
            processes: ["web": ProcessSpec(command: "npm start", count: 2), "worker": ProcessSpec(command: "npm run worker", count: 1)],
            resources: Resources(memory: MemorySize("512M"), cpu: 0.5),
            healthcheck: Healthcheck(
                path: "/health", interval: DurationText(milliseconds: 15_000), timeout: DurationText(milliseconds: 2_500),
                deployTimeout: DurationText(milliseconds: 90_000)))
        return KubernetesApp(
            name: "shop", spec: spec, port: 3001, domains: ["www.shop.example", "shop.example"], release: 7,
            image: "registry.example.com/shop:v7", config: ["NODE_ENV": "production", "WORKERS": "4"],
            secretsToFillIn: ["STRIPE_KEY"], namespace: namespace)
    }

    func object(_ objects: [JSONValue], _ kind: String, _ name: String) throws -> JSONValue {
        try #require(objects.first { $0["kind"]?.stringValue == kind && $0["metadata"]?["name"]?.stringValue == name })
    }

    func container(_ deployment: JSONValue) throws -> JSONValue {
        try #require(deployment["spec"]?["template"]?["spec"]?["containers"]?[0])
    }

    @Test func objectsComeInApplyOrder() {
        let objects = KubernetesRenderer.objects(Self.shop())
        let kinds = objects.map { "\($0["kind"]?.stringValue ?? "")/\($0["metadata"]?["name"]?.stringValue ?? "")" }
        #expect(kinds == ["Secret/shop-env", "Deployment/shop-web", "Deployment/shop-worker", "Service/shop", "Ingress/shop"])
        #expect(objects.map { $0["apiVersion"]?.stringValue } == ["v1", "apps/v1", "apps/v1", "v1", "networking.k8s.io/v1"])
    }

    @Test func webDeploymentCarriesCountCommandEnvResourcesProbeAndRollout() throws {
        let web = try object(KubernetesRenderer.objects(Self.shop()), "Deployment", "shop-web")
        let spec = try #require(web["spec"])
        #expect(spec["replicas"] == 2)
        #expect(spec["strategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": 1]])
        #expect(spec["progressDeadlineSeconds"] == 90)
        #expect(spec["minReadySeconds"] == nil)
        let container = try container(web)
        #expect(container["name"] == "web")
        #expect(container["image"] == "registry.example.com/shop:v7")
        #expect(container["command"] == ["/bin/sh", "-c", "npm start"])
        #expect(container["env"] == [["name": "PORT", "value": "3001"]])
        #expect(container["envFrom"] == [["secretRef": ["name": "shop-env"]]])
        #expect(container["resources"] == ["limits": ["memory": "512Mi", "cpu": "500m"]])
        #expect(container["ports"] == [["name": "http", "containerPort": 3001, "protocol": "TCP"]])
        #expect(container["readinessProbe"] == [
            "httpGet": ["path": "/health", "port": "http"], "periodSeconds": 15, "timeoutSeconds": 3,
        ])
    }

    @Test func workerHasNoPortProbeOrService() throws {
        let objects = KubernetesRenderer.objects(Self.shop())
        let worker = try object(objects, "Deployment", "shop-worker")
        let workerContainer = try container(worker)
        #expect(workerContainer["command"] == ["/bin/sh", "-c", "npm run worker"])
        #expect(workerContainer["readinessProbe"] == nil && workerContainer["ports"] == nil)
        #expect(workerContainer["envFrom"] == [["secretRef": ["name": "shop-env"]]])
        #expect(worker["spec"]?["replicas"] == 1)
        #expect(worker["spec"]?["minReadySeconds"] == 10)
        #expect(worker["spec"]?["strategy"]?["rollingUpdate"]?["maxUnavailable"] == 0)
        // The Service and Ingress select the web pods only.
        #expect(try object(objects, "Service", "shop")["spec"]?["selector"] == [
            "app.kubernetes.io/name": "shop", "app.kubernetes.io/component": "web",
        ])

        // An app of workers only has no Service and no Ingress, whatever its domains.
        var workers = Self.shop()
        workers.spec.processes = ["worker": ProcessSpec(command: nil, count: 3)]
        let kinds = KubernetesRenderer.objects(workers).map { $0["kind"]?.stringValue }
        #expect(kinds == ["Secret", "Deployment"])
        // Without a command the image's own command runs.
        #expect(try container(KubernetesRenderer.objects(workers)[1])["command"] == nil)
    }

    @Test func serviceAndIngressRouteTheDomainsWithTLS() throws {
        let objects = KubernetesRenderer.objects(Self.shop())
        let service = try object(objects, "Service", "shop")
        #expect(service["spec"]?["ports"] == [["name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"]])
        #expect(service["spec"]?["type"] == "ClusterIP")
        let ingress = try object(objects, "Ingress", "shop")
        #expect(ingress["spec"]?["tls"] == [["hosts": ["shop.example", "www.shop.example"], "secretName": "shop-tls"]])
        let rules = try #require(ingress["spec"]?["rules"]?.arrayValue)
        #expect(rules.map { $0["host"]?.stringValue } == ["shop.example", "www.shop.example"])
        for rule in rules {
            #expect(rule["http"]?["paths"] == [[
                "path": "/", "pathType": "Prefix", "backend": ["service": ["name": "shop", "port": ["name": "http"]]],
            ]])
        }
        // Without custom domains there is a Service but no Ingress.
        var plain = Self.shop()
        plain.domains = []
        #expect(KubernetesRenderer.objects(plain).map { $0["kind"]?.stringValue }.last == "Service")
    }

    @Test func secretHoldsConfigAndNamesTheSecretsToFillIn() throws {
        let secret = try object(KubernetesRenderer.objects(Self.shop()), "Secret", "shop-env")
        #expect(secret["type"] == "Opaque")
        #expect(secret["stringData"] == ["NODE_ENV": "production", "WORKERS": "4", "STRIPE_KEY": ""])
        #expect(secret["metadata"]?["annotations"] == ["pvdify.win/release": "7", "pvdify.win/secrets-to-fill-in": "STRIPE_KEY"])

        // With every value known (as the runtime will have them) nothing is left to fill in.
        var known = Self.shop()
        known.secrets = ["STRIPE_KEY": "sk_live_1"]
        known.secretsToFillIn = []
        let complete = try object(KubernetesRenderer.objects(known), "Secret", "shop-env")
        #expect(complete["stringData"]?["STRIPE_KEY"] == "sk_live_1")
        #expect(complete["metadata"]?["annotations"] == ["pvdify.win/release": "7"])
    }

    @Test func everyObjectIsLabelledAndAnnotatedWithTheRelease() throws {
        for object in KubernetesRenderer.objects(Self.shop()) {
            let metadata = try #require(object["metadata"])
            let labels = try #require(metadata["labels"]?.objectValue)
            #expect(labels["app.kubernetes.io/managed-by"] == "pvdify")
            #expect(labels["app.kubernetes.io/name"] == "shop")
            #expect(metadata["annotations"]?["pvdify.win/release"] == "7")
            #expect(metadata["namespace"] == nil)
            if object["kind"] == "Deployment" {
                let process = try #require(object["spec"]?["template"]?["spec"]?["containers"]?[0]?["name"]?.stringValue)
                #expect(labels["app.kubernetes.io/component"] == .string(process))
                // Pods carry the labels and the release (so a new release rolls them); the selector
                // never names the release, since a Deployment's selector cannot change.
                let template = try #require(object["spec"]?["template"]?["metadata"])
                #expect(template["labels"]?.objectValue == labels)
                #expect(template["annotations"]?["pvdify.win/release"] == "7")
                #expect(object["spec"]?["selector"]?["matchLabels"] == [
                    "app.kubernetes.io/name": "shop", "app.kubernetes.io/component": .string(process),
                ])
            }
        }
        for object in KubernetesRenderer.objects(Self.shop(namespace: "shop-prod")) {
            #expect(object["metadata"]?["namespace"] == "shop-prod")
        }
    }

    /// Object names are DNS-1123 subdomains (the Service's a DNS label, as Kubernetes requires),
    /// label values at most 63 characters, for the longest names pvdify allows.
    @Test func namesAndLabelsAreValidForTheLongestNames() throws {
        var app = Self.shop()
        app.name = "p" + String(repeating: "r", count: 55) + "-pr-123"  // 63: a preview's longest name
        let process = "w" + String(repeating: "o", count: 29)  // 30: the longest process type
        app.spec.processes = ["web": ProcessSpec(command: nil, count: 1), process: ProcessSpec(command: nil, count: 1)]
        #expect(app.name.count == 63)
        let subdomain = /[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/
        let labelValue = /([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?/
        for object in KubernetesRenderer.objects(app) {
            let name = try #require(object["metadata"]?["name"]?.stringValue)
            #expect(name.count <= 253 && name.wholeMatch(of: subdomain) != nil, "\(name)")
            if object["kind"] == "Service" || object["kind"] == "Ingress" { #expect(KubernetesNames.isLabel(name), "\(name)") }
            for value in (object["metadata"]?["labels"]?.objectValue ?? [:]).values {
                let text = try #require(value.stringValue)
                #expect(text.count <= 63 && text.wholeMatch(of: labelValue) != nil, "\(text)")
            }
            if let container = object["spec"]?["template"]?["spec"]?["containers"]?[0]?["name"]?.stringValue {
                #expect(KubernetesNames.isLabel(container), "\(container)")
            }
        }
        #expect(KubernetesNames.isLabel(KubernetesNames.tlsSecret(app: "shop")))
    }

    @Test func namespacesMustBeDNSLabels() {
        for good in ["default", "shop-prod", "a", "1x", String(repeating: "n", count: 63)] {
            #expect(KubernetesNames.namespaceProblem(good) == nil, "\(good)")
        }
        for bad in ["", "Shop", "-x", "x-", "a.b", "a_b", String(repeating: "n", count: 64), "ns/../x"] {
            #expect(KubernetesNames.namespaceProblem(bad) != nil, "\(bad)")
        }
    }

    @Test func quantitiesAsKubernetesWritesThem() throws {
        let memory: [(String, String)] = [("512M", "512Mi"), ("1G", "1Gi"), ("1536M", "1536Mi"), ("2048M", "2Gi"), ("100K", "100Ki"), ("7000000", "7000000")]
        for (text, expected) in memory {
            #expect(KubernetesQuantities.memory(try #require(MemorySize(text))) == expected, "\(text)")
        }
        let cpu: [(Double, String)] = [(0.5, "500m"), (2, "2"), (0.01, "10m"), (1.25, "1250m"), (0.0004, "1m")]
        for (cores, expected) in cpu { #expect(KubernetesQuantities.cpu(cores) == expected, "\(cores)") }
        let seconds: [(Int, Int)] = [(100, 1), (1_000, 1), (1_500, 2), (30_000, 30), (3_600_000, 3_600)]
        for (milliseconds, expected) in seconds {
            #expect(KubernetesQuantities.seconds(DurationText(milliseconds: milliseconds)) == expected, "\(milliseconds)")
        }
        // No limits set: no resources section at all.
        var unlimited = Self.shop()
        unlimited.spec.resources = Resources()
        #expect(try container(KubernetesRenderer.objects(unlimited)[1])["resources"] == nil)
    }

    /// The same app gives the same text, keys sorted, whatever order its maps were built in; and
    /// the YAML reads back as the same objects (numbers stay numbers, `"3001"` stays a string).
    @Test func outputIsDeterministicAndRoundTrips() throws {
        let first = Self.shop()
        var second = Self.shop()
        second.config = Dictionary(uniqueKeysWithValues: first.config.reversed().map { ($0.key, $0.value) })
        second.spec.processes = Dictionary(uniqueKeysWithValues: first.spec.processes.reversed().map { ($0.key, $0.value) })
        let yaml = try KubernetesDocuments.yaml(KubernetesRenderer.objects(first))
        #expect(try KubernetesDocuments.yaml(KubernetesRenderer.objects(second)) == yaml)
        #expect(yaml.hasPrefix("---\napiVersion: v1\nkind: Secret\nmetadata:\n"))
        #expect(yaml.components(separatedBy: "\n---\n").count == 5)

        let parsed = try YAMLDocuments.parse(yaml).map(\.value)
        #expect(parsed == KubernetesRenderer.objects(first))

        let json = String(decoding: KubernetesDocuments.list(KubernetesRenderer.objects(first)).serialized(), as: UTF8.self)
        #expect(json == String(decoding: KubernetesDocuments.list(KubernetesRenderer.objects(second)).serialized(), as: UTF8.self))
        #expect(json.hasPrefix(#"{"apiVersion":"v1","items":[{"apiVersion":"v1","kind":"Secret""#))
    }
}
