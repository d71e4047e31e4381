import Foundation
import PvdifyModel
import PvdifyStore
import Testing

/// `pvdify export APP --kubernetes` against a real `pvdifyd`: the objects of the active release
/// (its image and config version), secrets by name with empty values, never their values.
@Suite(.timeLimit(.minutes(5))) struct ExportCommandTests {
    static let manifest = """
        apiVersion: pvdify.win/v1
        kind: App
        metadata: {name: shop}
        spec:
          image: 127.0.0.1:5000/pvdify-test:v1
          processes:
            web: {command: npm start, count: 2}
            worker: {command: npm run worker, count: 1}
          domains: [shop.example.com]
          resources: {memory: 256M, cpu: 0.25}
          healthcheck: {path: /health, interval: 10s, timeout: 2s, deploy_timeout: 45s}
          config: {GREETING: Welcome}
        """

    func run(_ cli: CLI, _ arguments: String..., stdin: String? = nil) async throws -> CLI.Result {
        try await cli.run(arguments, stdin: stdin)
    }

    @Test func exportsTheActiveReleaseAsKubernetesObjects() async throws {
        let daemon = try await Daemon.start()
        defer { daemon.stop() }
        let cli = CLI(daemon: daemon)
        let applied = try await run(cli, "apply", "-f", "-", stdin: Self.manifest)
        #expect(applied.status == 0, "\(applied)")
        let secretValue = "sk_live_\(UUID().uuidString)"
        #expect(try await run(cli, "config:secret", "shop", "STRIPE_KEY", stdin: secretValue + "\n").status == 0)
        let port = try #require(try await run(cli, "apps:info", "shop", "--json").json["bind_port"]?.intValue)

        // No release is active yet (no Podman here): nothing to export.
        let early = try await run(cli, "export", "shop", "--kubernetes")
        #expect(early.status != 0 && early.stderr.contains("no active release"), "\(early)")

        // The test plays the container reconciler: release v2 (image + the config with the secret)
        // is active; a later config change (release v3, still deploying) is not what runs.
        let store = try daemon.openStore()
        defer { try? store.close() }
        try await store.setReleaseStatus("shop", version: 2, .active)
        #expect(try await run(cli, "config:set", "shop", "GREETING=Later").status == 0)

        let export = try await run(cli, "export", "shop", "--kubernetes")
        #expect(export.status == 0, "\(export)")
        #expect(!export.stdout.contains(secretValue) && !export.stderr.contains(secretValue))
        let objects = try YAMLDocuments.parse(export.stdout).map(\.value)
        let kinds = objects.map { "\($0["kind"]?.stringValue ?? "")/\($0["metadata"]?["name"]?.stringValue ?? "")" }
        #expect(kinds == ["Secret/shop-env", "Deployment/shop-web", "Deployment/shop-worker", "Service/shop", "Ingress/shop"])

        let secret = objects[0]
        #expect(secret["stringData"] == ["GREETING": "Welcome", "STRIPE_KEY": ""])
        #expect(secret["metadata"]?["annotations"]?["pvdify.win/secrets-to-fill-in"] == "STRIPE_KEY")
        let web = objects[1]
        let container = try #require(web["spec"]?["template"]?["spec"]?["containers"]?[0])
        #expect(web["spec"]?["replicas"] == 2)
        #expect(web["metadata"]?["annotations"]?["pvdify.win/release"] == "2")
        #expect(container["image"] == "127.0.0.1:5000/pvdify-test:v1")
        #expect(container["command"] == ["/bin/sh", "-c", "npm start"])
        #expect(container["env"] == [["name": "PORT", "value": .string(String(port))]])
        #expect(container["resources"] == ["limits": ["memory": "256Mi", "cpu": "250m"]])
        #expect(container["readinessProbe"]?["periodSeconds"] == 10 && container["readinessProbe"]?["timeoutSeconds"] == 2)
        #expect(web["spec"]?["progressDeadlineSeconds"] == 45)
        #expect(objects[4]["spec"]?["tls"] == [["hosts": ["shop.example.com"], "secretName": "shop-tls"]])
        #expect(objects.allSatisfy { $0["metadata"]?["namespace"] == nil })

        // --namespace in every object; --json as one List of the same objects.
        let namespaced = try await run(cli, "export", "shop", "--kubernetes", "--namespace", "shop-prod")
        #expect(try YAMLDocuments.parse(namespaced.stdout).allSatisfy { $0.value["metadata"]?["namespace"] == "shop-prod" })
        let json = try await run(cli, "export", "shop", "--kubernetes", "--json")
        #expect(json.json["kind"] == "List" && json.json["items"] == .array(objects))
        // Exporting twice gives the same text.
        #expect(try await run(cli, "export", "shop", "--kubernetes").stdout == export.stdout)
    }

    @Test func refusesBadArguments() async throws {
        let daemon = try await Daemon.start()
        defer { daemon.stop() }
        let cli = CLI(daemon: daemon)
        #expect(try await run(cli, "apps:create", "shop").status == 0)
        let noFormat = try await run(cli, "export", "shop")
        #expect(noFormat.status != 0 && noFormat.stderr.contains("--kubernetes"), "\(noFormat)")
        let badNamespace = try await run(cli, "export", "shop", "--kubernetes", "--namespace", "Shop_Prod")
        #expect(badNamespace.status != 0 && badNamespace.stderr.contains("DNS label"), "\(badNamespace)")
        let badName = try await run(cli, "export", "../tokens", "--kubernetes")
        #expect(badName.status != 0 && badName.stderr.hasPrefix("error: app name"), "\(badName)")
        let missing = try await run(cli, "export", "nothere", "--kubernetes")
        #expect(missing.status != 0 && missing.stderr.contains("not found"), "\(missing)")
        // The help says the Secret's secret values are empty (words joined again across wrapped lines).
        let help = try await run(cli, "export", "--help")
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("every secret's name with an EMPTY value") && words.contains("pvdify.win/secrets-to-fill-in"), "\(help)")
    }
}
