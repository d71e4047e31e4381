import CryptoExtras
import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing

/// Pull-request previews end to end: signed GitHub `pull_request` deliveries to a real pvdifyd on
/// real Podman, routed by a real Caddy, with DNS managed on the Cloudflare stand-in. Each step is
/// checked on those parts themselves: the page through Caddy, the containers in Podman, the
/// routes in Caddy's config, the records in the stand-in. pvdifyd is the GitHub App (its key
/// from `--github-app-key-file`) of the GitHub stand-in, which records the deployment statuses.
@Suite(.serialized, .enabled(if: ContainerEnvironment.available && CaddyProcess.available))
struct GitHubPreviewEndToEndTests {
    static let webhookSecret = "e2e-webhook-secret-0123456789abcdef"
    /// Head SHAs with an image each in the local registry: the first runs test image v1, the second v2.
    static let firstSHA = String(repeating: "1", count: 40)
    static let secondSHA = String(repeating: "2", count: 40)
    /// The GitHub App pvdifyd authenticates as, on the GitHub stand-in.
    static let appID = 5150

    @Test func pullRequestsBringUpRollOutAndRemovePreviews() async throws {
        let registry = ContainerEnvironment.registryAddress!
        try await Self.pushImage("\(registry)/pvdify-test:v1", as: "\(registry)/pvdify-test:sha-\(Self.firstSHA)")
        try await Self.pushImage("\(registry)/pvdify-test:v2", as: "\(registry)/pvdify-test:sha-\(Self.secondSHA)")

        let cloudflare = try await CloudflareStandIn.start(zones: ["pvdify.test"])
        let github = try await FakeGitHubServer.start()
        let appKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        try await github.registerApp(id: Self.appID, publicKeyPEM: appKey.publicKey.pemRepresentation)
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("gh-e2e-app-key-\(UUID().uuidString).pem")
        try Data(appKey.pemRepresentation.utf8).write(to: keyFile)
        let caddy = CaddyProcess()
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("gh-e2e-secret-\(UUID().uuidString)")
        try Data((Self.webhookSecret + "\n").utf8).write(to: secretFile)
        let parent = "shop-\(UUID().uuidString.prefix(6).lowercased())"
        do {
            try await caddy.start()
            let arguments = [
                "--github-webhook-secret-file", secretFile.path, "--cloudflare-api-url", cloudflare.apiURL,
                "--dns-target", "lb.example.net", "--github-app-id", "\(Self.appID)", "--github-app-key-file", keyFile.path,
                "--github-api-url", github.issuer, "--public-url", "https://pvdify.example.test/",
            ]
            try await ContainerEnvironment.withDaemon(
                caddy: caddy, arguments: arguments, environment: ["CLOUDFLARE_API_TOKEN": CloudflareStandIn.token]
            ) { env in
                try await Self.scenario(PreviewScenario(env: env, caddy: caddy, cloudflare: cloudflare, github: github, parent: parent))
            }
        } catch {
            await Self.removeContainers(parent: parent)
            await Self.stop(caddy, cloudflare, github, [secretFile, keyFile])
            throw error
        }
        await Self.removeContainers(parent: parent)
        await Self.stop(caddy, cloudflare, github, [secretFile, keyFile])
    }

    /// The steps of the proof, in order, on one parent app (`previews.max` 2).
    static func scenario(_ world: PreviewScenario) async throws {
        let env = world.env
        let parent = world.parent
        try await env.create(parent)
        try await env.patch(parent, """
            {"healthcheck":{"path":"/health","interval":"2s"},"github":{"repo":"\(world.repository)"},
             "previews":{"image":"\(env.registry)/pvdify-test:sha-{sha}","secrets":["GREETING"],"max":2}}
            """)
        try await env.send("POST", "/apps/\(parent)/config/secrets", #"{"name":"GREETING","value":"hello-from-the-allow-list"}"#)
        try await env.send("POST", "/apps/\(parent)/config/secrets", #"{"name":"DATABASE_PASSWORD","value":"never-in-a-preview"}"#)
        let first = world.preview(12)

        // A bad signature is 401 and makes nothing.
        let forged = try await world.sendPullRequest(
            action: "opened", number: 12, sha: firstSHA, secret: "not-the-webhook-secret-at-all")
        #expect(forged.status == 401, "\(forged.body)")
        #expect(try await world.appStatus(first) == 404)

        // Opened: the preview serves the PR's image through Caddy, and its DNS record is there.
        let openedDelivery = UUID().uuidString
        let opened = try await world.sendPullRequest(action: "opened", number: 12, sha: firstSHA, delivery: openedDelivery)
        #expect(opened.status == 200 && opened.body.contains(#""outcome":"created""#), "\(opened.body)")
        try await world.waitServing(first, version: 1)
        try await world.waitDNSRecord(first)
        // On GitHub: a deployment of the head SHA in the transient environment pr-12, in progress,
        // then successful with the preview's URL.
        try await world.waitDeploymentStates(sha: firstSHA, ["in_progress", "success"])
        let deployed = try #require(try await world.deployment(sha: firstSHA))
        #expect(deployed["environment"] as? String == "pr-12" && deployed["transient_environment"] as? Bool == true, "\(deployed)")
        let success = try #require((deployed["statuses"] as? [[String: Any]])?.last)
        #expect(success["environment_url"] as? String == "https://\(world.host(first))", "\(success)")
        #expect(success["log_url"] as? String == "https://pvdify.example.test/ui/apps/\(first)", "\(success)")

        // Only the allow-listed secret: on the page (GREETING) and in the container's environment.
        let page = try await world.viaCaddy(first)
        #expect(page.body.contains("greeting: hello-from-the-allow-list"), "\(page.body)")
        let variables = try await world.environment(of: first)
        #expect(variables.contains("GREETING=hello-from-the-allow-list"), "\(variables)")
        #expect(!variables.contains("DATABASE_PASSWORD") && !variables.contains("never-in-a-preview"), "\(variables)")

        // Synchronize with a new SHA rolls out its image, and no request through Caddy fails meanwhile.
        let loop = RequestLoop(caddy: world.caddy, host: world.host(first))
        let running = Task { await loop.run(maxRequests: 20_000, maxDuration: .seconds(180)) }
        let pushed = try await world.sendPullRequest(action: "synchronize", number: 12, sha: secondSHA)
        #expect(pushed.status == 200 && pushed.body.contains(#""outcome":"updated""#), "\(pushed.body)")
        try await world.waitServing(first, version: 2)
        try await env.waitUntil("the v1 instance gone", timeout: .seconds(60)) { try await world.containerIDs(first).count == 1 }
        await loop.stop()
        let traffic = await running.value
        print("preview rollout through Caddy: \(traffic.total) requests, \(traffic.failures.count) failed, \(traffic.resets) resets")
        #expect(traffic.total > 10, "the loop ran: \(traffic)")
        #expect(traffic.failures.isEmpty, "failed requests during the rollout: \(traffic.failures.prefix(5))")
        #expect(try await world.environment(of: first).contains("GREETING=hello-from-the-allow-list"))
        let listed = try await env.get("/apps/\(parent)/previews")["previews"]?.arrayValue ?? []
        #expect(listed.count == 1 && listed.first?["name"]?.stringValue == first, "\(listed)")
        #expect(listed.first?["head_sha"]?.stringValue == secondSHA)
        #expect(listed.first?["url"]?.stringValue == "https://\(world.host(first))")
        // On GitHub: the new SHA's deployment succeeds, and the first one, replaced, is inactive.
        try await world.waitDeploymentStates(sha: secondSHA, ["in_progress", "success"])
        try await world.waitDeploymentStates(sha: firstSHA, ["in_progress", "success", "inactive"])
        let shown = try await env.get("/apps/\(parent)/previews")["previews"]?.arrayValue?.first
        #expect(shown?["github"]?["state"]?.stringValue == "success", "\(String(describing: shown))")

        // A fork's pull request is ignored: no app, no container.
        let fork = try await world.sendPullRequest(action: "opened", number: 30, sha: firstSHA, headRepository: "someone-else/shop")
        #expect(fork.status == 202 && fork.body.contains(#""outcome":"ignored""#) && fork.body.contains("from a fork"), "\(fork.body)")
        #expect(try await world.appStatus(world.preview(30)) == 404)
        #expect(try await world.containerIDs(world.preview(30)).isEmpty)

        // The cap: a second preview is made, a third is refused naming the limit, and nothing is made.
        let second = world.preview(13)
        let another = try await world.sendPullRequest(action: "opened", number: 13, sha: firstSHA)
        #expect(another.status == 200 && another.body.contains(#""outcome":"created""#), "\(another.body)")
        let refused = try await world.sendPullRequest(action: "opened", number: 14, sha: firstSHA)
        #expect(refused.status == 202 && refused.body.contains("limit_reached"), "\(refused.body)")
        #expect(refused.body.contains("its limit (previews.max 2)"), "\(refused.body)")
        #expect(try await world.appStatus(world.preview(14)) == 404)
        #expect(try await world.containerIDs(world.preview(14)).isEmpty)
        try await world.waitServing(second, version: 1)
        try await world.waitDNSRecord(second)

        // The `opened` delivery again (GitHub's "Redeliver"): handled, it would roll back to the
        // first SHA; as a repeat it changes nothing. Neither does a bad signature.
        let releases = try await world.releases(first)
        let containers = try await world.containerIDs(first)
        let again = try await world.sendPullRequest(action: "opened", number: 12, sha: firstSHA, delivery: openedDelivery)
        #expect(again.status == 200 && again.body.contains(#""outcome":"duplicate""#), "\(again.body)")
        let badSignature = try await world.sendPullRequest(
            action: "closed", number: 12, sha: secondSHA, secret: "a-wrong-secret-0123456789")
        #expect(badSignature.status == 401, "\(badSignature.body)")
        try await Task.sleep(for: .seconds(3))  // a few passes of the reconcilers (resync every 2 s)
        #expect(try await world.releases(first) == releases)
        #expect(try await world.containerIDs(first) == containers)
        #expect(try await world.viaCaddy(first).body.contains("version: 2"))
        #expect(try await world.cloudflare.records(named: world.host(first)).count == 1)

        // Closed: containers, route and DNS record go.
        let closed = try await world.sendPullRequest(action: "closed", number: 12, sha: firstSHA)
        #expect(closed.status == 200 && closed.body.contains(#""outcome":"deleted""#), "\(closed.body)")
        try await world.assertGone(first)
        // On GitHub: the preview's deployment is inactive.
        try await world.waitDeploymentStates(sha: secondSHA, ["in_progress", "success", "inactive"])

        // TTL: a short TTL, restarted by a push at the same SHA (no new release), expires the second preview.
        try await env.patch(parent, #"{"previews":{"ttl":"3s"}}"#)
        let touched = try await world.sendPullRequest(action: "synchronize", number: 13, sha: firstSHA)
        #expect(touched.status == 200 && touched.body.contains(#""outcome":"updated""#), "\(touched.body)")
        try await world.assertGone(second)
        #expect(try await env.get("/apps/\(parent)/previews")["previews"]?.arrayValue?.isEmpty == true)
        try await env.deleteAllApps()
    }

    /// Puts `source` (pulled from the local registry if need be) in the registry as `target` too.
    static func pushImage(_ source: String, as target: String) async throws {
        let steps = [
            ["pull", "--quiet", "--tls-verify=false", source], ["tag", source, target], ["push", "--quiet", "--tls-verify=false", target],
        ]
        for arguments in steps {
            let outcome = try await ChildProcess.run("/usr/bin/podman", arguments, environment: ProcessInfo.processInfo.environment)
            guard outcome.status == 0 else { throw DaemonError(message: "podman \(arguments.joined(separator: " ")): \(outcome.output)") }
        }
    }

    /// Removes any container left of the parent's previews (after a failure, pvdifyd may not have).
    static func removeContainers(parent: String) async {
        for number in [12, 13, 14, 30] {
            let app = App.previewName(parent: parent, number: number)
            let listed = try? await PreviewScenario.podman(["ps", "-a", "-q", "--filter", "label=pvdify.app=\(app)"])
            for id in (listed ?? "").split(separator: "\n") where !id.isEmpty {
                _ = try? await PreviewScenario.podman(["rm", "-f", "-t", "1", String(id)])
            }
        }
    }

    /// Stops Caddy and the stand-ins and removes the secret and key files.
    static func stop(_ caddy: CaddyProcess, _ cloudflare: CloudflareStandIn, _ github: FakeGitHubServer, _ files: [URL]) async {
        await caddy.cleanUp()
        await cloudflare.stop()
        await github.stop()
        for file in files { try? FileManager.default.removeItem(at: file) }
    }
}
