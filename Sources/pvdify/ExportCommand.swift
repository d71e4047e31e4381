import ArgumentParser
import Foundation
import PvdifyModel

/// `pvdify export NAME --kubernetes`: the Kubernetes objects that would run the app's active
/// release, as a YAML stream for `kubectl apply -f -`.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print an app as Kubernetes objects (Deployments, Secret, Service, Ingress).",
        discussion: """
            Renders the app's active release for a cluster you manage yourself: a Deployment per \
            process type (replicas, command, resources, a readiness probe from the health check \
            for web, rolling updates with maxUnavailable 0), one Secret with the config, and for \
            web a Service and, with custom domains, an Ingress with TLS from the Secret <app>-tls.

            The API never shows secret values, so the Secret holds every config var with its \
            value and every secret's name with an EMPTY value; its annotation \
            pvdify.win/secrets-to-fill-in names the keys to fill in before applying.

            EXAMPLES:
              pvdify export myapp --kubernetes --namespace shop > myapp.yaml
              kubectl apply -f myapp.yaml    # once the secrets are filled in
              pvdify export myapp --kubernetes --json
            """)

    @Argument(help: "The app.")
    var name: String

    @Flag(name: .long, help: "Print Kubernetes objects (the only export format).")
    var kubernetes = false

    @Option(name: .long, help: "Write this namespace into every object (default: none, so `kubectl -n` decides).")
    var namespace: String?

    @Flag(name: .long, help: "Print the objects as one JSON `List` instead of YAML.")
    var json = false

    mutating func run() async throws {
        guard kubernetes else { throw CLIError("name the format to export: --kubernetes") }
        if let problem = Rules.appName(name, maxLength: 63) { throw CLIError("app name '\(name)' \(problem)") }
        if let namespace, let problem = KubernetesNames.namespaceProblem(namespace) {
            throw CLIError("--namespace '\(namespace)' \(problem)")
        }
        let api = try APIClient.configured()
        let app = try await api.get("/apps/\(name)")
        let releases = try await api.get("/apps/\(name)/releases")
        guard let active = releases["releases"]?.arrayValue?.first(where: { $0["status"] == "active" }) else {
            throw CLIError("\(name) has no active release to export; deploy one first (pvdify deploy \(name) --image IMAGE)")
        }
        var config: JSONValue = ["vars": [:], "secrets": []]
        if let version = active["config_version"]?.stringValue {
            config = try await api.get("/apps/\(name)/config/versions/\(try Arguments.version(version))")
        }
        let input = try Self.input(app: app, release: active, config: config, namespace: namespace)
        let objects = KubernetesRenderer.objects(input)
        if json { return Output.printJSON(KubernetesDocuments.list(objects)) }
        print(try KubernetesDocuments.yaml(objects), terminator: "")
    }

    /// The renderer's input from the API's answers: the app, its active release and that
    /// release's config version (secrets by name only, since the API never shows their values).
    static func input(app: JSONValue, release: JSONValue, config: JSONValue, namespace: String?) throws -> KubernetesApp {
        do {
            let reader = try FieldReader(app)
            var spec = AppSpec(processes: [:])
            for (type, value) in try reader.object("processes")?.fields ?? [:] {
                spec.processes[type] = try ProcessSpec.parse(FieldReader(value, path: "processes.\(type)"), base: nil)
            }
            if let resources = try reader.object("resources") { spec.resources = try Resources.parse(resources, base: Resources()) }
            if let check = try reader.object("healthcheck") { spec.healthcheck = try Healthcheck.parse(check, base: Healthcheck()) }
            guard let port = try reader.int("bind_port") else { throw PvdifyModel.ValidationError(field: "bind_port", message: "is missing") }
            guard let version = release["version"]?.intValue, let image = release["image"]?.stringValue else {
                throw PvdifyModel.ValidationError(field: "release", message: "has no version or image")
            }
            let secretNames = Set(config["secrets"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            var vars: [String: String] = [:]
            for (key, value) in config["vars"]?.objectValue ?? [:] where !secretNames.contains(key) {
                vars[key] = value.stringValue ?? ""
            }
            return KubernetesApp(
                name: try reader.requiredString("name"), spec: spec, port: port,
                domains: try reader.stringArray("domains") ?? [], release: version, image: image,
                config: vars, secretsToFillIn: secretNames.sorted(), namespace: namespace)
        } catch let error as PvdifyModel.ValidationError {
            throw CLIError("unexpected answer from the API: \(error.field): \(error.message)")
        }
    }
}
