import Foundation
import PvdifyDrivers
import PvdifyModel
import PvdifyTestSupport

/// The `FakeKubernetes` stand-in as a child process on a free 127.0.0.1 port, with a kubeconfig
/// pointing at it and helpers for its admin calls (reading objects, editing as another manager).
final class FakeKubernetesServer: @unchecked Sendable {
    static let token = "pvdify-k8s-test-token"
    let process: Process
    let port: Int
    let directory: URL

    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// A kubeconfig whose current context is this stand-in, namespace `apps`, with the token.
    var kubeconfig: URL { directory.appendingPathComponent("kubeconfig") }

    private init(process: Process, port: Int, directory: URL) {
        self.process = process
        self.port = port
        self.directory = directory
    }

    /// Starts the stand-in and waits until it listens. Rollouts get ready after `readyDelay` ms;
    /// images with `:fail` exceed their progress deadline after `progressDeadline` ms.
    /// `arguments` are added to the stand-in's own (its TLS files, for example).
    static func start(readyDelay: Int = 300, progressDeadline: Int = 1500, arguments: [String] = []) async throws -> FakeKubernetesServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-kubernetes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let standIn = try await StandInProcess.start(
            "FakeKubernetes", override: "PVDIFY_FAKE_KUBERNETES_BIN", banner: "fake-kubernetes",
            arguments: ["--token", token, "--ready-delay", String(readyDelay), "--progress-deadline", String(progressDeadline)] + arguments,
            output: directory.appendingPathComponent("output.log"))
        let server = FakeKubernetesServer(process: standIn.process, port: standIn.port, directory: directory)
        try server.writeKubeconfig()
        return server
    }

    private func writeKubeconfig() throws {
        let text = """
            apiVersion: v1
            kind: Config
            current-context: stand-in
            contexts:
            - name: stand-in
              context: {cluster: stand-in, user: pvdify, namespace: apps}
            clusters:
            - name: stand-in
              cluster: {server: "\(baseURL)"}
            users:
            - name: pvdify
              user: {token: \(Self.token)}
            """
        try text.write(to: kubeconfig, atomically: true, encoding: .utf8)
    }

    /// Kills the process (no wait: it holds nothing that needs a clean stop) and removes its files.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A real client for this stand-in, in namespace `apps`.
    func client(namespace: String = "apps") throws -> KubernetesClient {
        try KubernetesClient(config: try KubernetesConfig.kubeconfig(at: kubeconfig.path, namespace: namespace))
    }

    /// Every object the stand-in holds.
    func objects() async throws -> [JSONValue] {
        let reply = try await HTTP.request("GET", "\(baseURL)/__admin/objects")
        return try JSONValue.parse(json: Data(reply.body.utf8))["items"]?.arrayValue ?? []
    }

    /// The object of `kind` called `name`, if there is one.
    func object(_ kind: String, _ name: String) async throws -> JSONValue? {
        try await objects().first { $0["kind"]?.stringValue == kind && $0["metadata"]?["name"]?.stringValue == name }
    }

    /// Merges `json` into an object as field manager `manager` (`kubectl edit`).
    @discardableResult
    func edit(_ plural: String, _ name: String, namespace: String = "apps", manager: String = "kubectl-edit", json: String) async throws -> JSONValue {
        let reply = try await HTTP.request(
            "POST", "\(baseURL)/__admin/edit?plural=\(plural)&namespace=\(namespace)&name=\(name)&manager=\(manager)", json: json)
        guard reply.status == 200 else { throw DaemonError(message: "edit \(plural)/\(name): \(reply.status) \(reply.body)") }
        return try JSONValue.parse(json: Data(reply.body.utf8))
    }

    /// API calls received so far, by method.
    func calls() async throws -> [String: Int] {
        let reply = try await HTTP.request("GET", "\(baseURL)/__admin/stats")
        return (try JSONValue.parse(json: Data(reply.body.utf8)).objectValue ?? [:]).compactMapValues(\.intValue)
    }

    /// Forgets the event history: a watch from an older resource version is then 410 Gone.
    func compact() async throws {
        _ = try await HTTP.request("POST", "\(baseURL)/__admin/compact")
    }

    /// The managers that own `field` (`f:spec.f:replicas` as `["spec", "replicas"]`) of an object.
    static func owners(of field: [String], in object: JSONValue) -> [String] {
        (object["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { entry in
            var node: JSONValue? = entry["fieldsV1"]
            for key in field { node = node?["f:" + key] }
            return node == nil ? nil : entry["manager"]?.stringValue
        }.sorted()
    }
}
