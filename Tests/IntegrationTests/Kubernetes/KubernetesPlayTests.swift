import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing

/// The rendered Deployment and Secret really run: `podman kube play` starts the test image from
/// them, and the app answers on 127.0.0.1 with the config var the Secret holds.
///
/// Two gaps of this machine's Podman (4.3) are bridged by the test, not by the rendering: it has no
/// `kube play --publish`, so the test adds `hostPort` and `hostIP: 127.0.0.1` to the rendered
/// container port (without them Podman publishes the port on every address); and a played
/// `kind: Secret` is stored in a form its pods cannot read, so the test creates the Podman secret
/// itself, as JSON of the rendered Secret's values in base64 (what Podman reads back).
@Suite(.serialized, .enabled(if: ContainerEnvironment.available), .timeLimit(.minutes(5)))
struct KubernetesPlayTests {
    static let podman = "/usr/bin/podman"

    func podman(_ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await ChildProcess.run(
            Self.podman, ["--url", "unix://\(ContainerEnvironment.podmanSocket!)"] + arguments,
            environment: ProcessInfo.processInfo.environment)
    }

    @Test func renderedDeploymentAndSecretServeTheApp() async throws {
        let name = "kplay-\(UUID().uuidString.prefix(6).lowercased())"
        let greeting = "hello-from-kubernetes-\(UUID().uuidString.prefix(8).lowercased())"
        let registry = ContainerEnvironment.registryAddress ?? "127.0.0.1:5000"
        // A port other than the image's default (3000), so the page answering proves PORT was set.
        let containerPort = 3917
        let spec = AppSpec(
            processes: ["web": ProcessSpec(command: "exec /app/run.sh web", count: 1)],
            resources: Resources(memory: MemorySize("64M"), cpu: 0.5),
            healthcheck: Healthcheck(path: "/health"))
        let app = KubernetesApp(
            name: name, spec: spec, port: containerPort, domains: [], release: 3, image: "\(registry)/pvdify-test:v1",
            config: ["GREETING": greeting], secrets: ["API_KEY": "not-shown"])
        let objects = KubernetesRenderer.objects(app)
        let secret = try #require(objects.first { $0["kind"] == "Secret" })
        let deployment = try #require(objects.first { $0["kind"] == "Deployment" })
        let hostPort = try Loopback.freePort()

        let directory = try KubernetesFixtures.scratchDirectory("pvdify-kube-play")
        let kubeFile = directory.appendingPathComponent("deployment.yaml")
        let secretFile = directory.appendingPathComponent("secret.json")
        let secretName = try #require(secret["metadata"]?["name"]?.stringValue)
        #expect(secretName == "\(name)-env")
        var values: [String: JSONValue] = [:]
        for (key, value) in secret["stringData"]?.objectValue ?? [:] {
            values[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
        }
        try Data(JSONValue.object(values).serialized()).write(to: secretFile)
        try KubernetesDocuments.yaml([Self.publishing(deployment, hostPort: hostPort)]).write(to: kubeFile, atomically: true, encoding: .utf8)

        var failure: (any Error)?
        do {
            let created = try await podman(["secret", "create", secretName, secretFile.path])
            try #require(created.status == 0, "podman secret create: \(created.output)")
            let played = try await podman(["kube", "play", "--tls-verify=false", kubeFile.path])
            try #require(played.status == 0, "podman kube play: \(played.output)")

            // The app answers on 127.0.0.1 with the config var from the Secret.
            let url = "http://127.0.0.1:\(hostPort)"
            var page = ""
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                if let reply = try? await HTTP.request("GET", url + "/"), reply.status == 200 {
                    page = reply.body
                    break
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(page.contains("greeting: \(greeting)"), "page: \(page)")
            #expect(try await HTTP.request("GET", url + "/health").status == 200)

            // Podman made the pod from the Deployment: its labels, and the memory limit from resources.
            let pods = try await podman(["pod", "ps", "--filter", "label=app.kubernetes.io/name=\(name)", "--format", "{{.Name}}"])
            #expect(pods.output.contains("\(name)-web-pod-0"), "\(pods.output)")
            let memory = try await podman(["inspect", "--format", "{{.HostConfig.Memory}}", "\(name)-web-pod-0-web"])
            #expect(memory.output.trimmingCharacters(in: .whitespacesAndNewlines) == String(64 << 20), "\(memory.output)")
        } catch {
            failure = error
        }
        // Cleaned up whether the test passed or not.
        let down = try await podman(["kube", "down", kubeFile.path])
        _ = try await podman(["secret", "rm", secretName])
        try? FileManager.default.removeItem(at: directory)
        if let failure { throw failure }
        #expect(down.status == 0, "podman kube down: \(down.output)")
        let left = try await podman(["ps", "-a", "--filter", "label=app.kubernetes.io/name=\(name)", "--format", "{{.Names}}"])
        #expect(left.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "left behind: \(left.output)")
    }

    /// The Deployment with its web port published on 127.0.0.1:`hostPort`, as `kube play
    /// --publish 127.0.0.1:PORT:CONTAINERPORT` would do on a newer Podman.
    static func publishing(_ deployment: JSONValue, hostPort: Int) throws -> JSONValue {
        guard case .object(var root) = deployment, case .object(var spec)? = root["spec"],
              case .object(var template)? = spec["template"], case .object(var podSpec)? = template["spec"],
              case .array(var containers)? = podSpec["containers"], case .object(var container)? = containers.first,
              case .array(let ports)? = container["ports"], case .object(var port)? = ports.first
        else { throw DaemonError(message: "the rendered Deployment has no container port") }
        port["hostPort"] = .int(hostPort)
        port["hostIP"] = "127.0.0.1"
        container["ports"] = [.object(port)]
        containers[0] = .object(container)
        podSpec["containers"] = .array(containers)
        template["spec"] = .object(podSpec)
        spec["template"] = .object(template)
        root["spec"] = .object(spec)
        return .object(root)
    }
}
