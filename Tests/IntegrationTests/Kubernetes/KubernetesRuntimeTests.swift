import Foundation
import PvdifyDrivers
import PvdifyModel
import Testing

/// The real pvdifyd with `--runtime kubernetes`, against the real Kubernetes API stand-in: deploys,
/// scaling, a failed rollout, rollbacks, hand edits and app deletion, seen both through pvdify's
/// API and in the objects the stand-in holds.
@Suite struct KubernetesRuntimeTests {
    /// A pvdifyd converging on a fresh stand-in, and an API helper for it.
    /// `resync` is long where a test must show that the watch, not a resync, wakes the reconciler.
    func withRuntime(resync: String = "2s", _ body: (ContainerEnvironment, FakeKubernetesServer) async throws -> Void) async throws {
        let server = try await FakeKubernetesServer.start()
        defer { server.stop() }
        let token = "pvd_k8s_\(UUID().uuidString.lowercased())"
        let daemon = DaemonProcess(
            environment: ["PVDIFY_BOOTSTRAP_TOKEN": token],
            arguments: ["--runtime", "kubernetes", "--kubeconfig", server.kubeconfig.path, "--resync-interval", resync, "--rate-limit", "100000"])
        defer { daemon.cleanUp() }
        try await daemon.start()
        let env = ContainerEnvironment(daemon: daemon, token: token)
        do {
            try await body(env, server)
        } catch {
            Issue.record("daemon log tail:\n\(daemon.log.suffix(4000))")
            throw error
        }
        try await daemon.stop()
    }

    func image(_ object: JSONValue?) -> String? {
        object?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]?.stringValue
    }

    /// Runs `call` with a client of its own, as someone working on the cluster by hand would.
    func byHand<T>(_ server: FakeKubernetesServer, _ call: (KubernetesClient) async throws -> T) async throws -> T {
        let client = try server.client()
        do {
            let result = try await call(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    func releaseStatus(_ env: ContainerEnvironment, _ app: String, _ version: Int) async throws -> String? {
        try await env.get("/apps/\(app)/releases/\(version)")["status"]?.stringValue
    }

    @Test func deployScaleFailedRolloutAndRollback() async throws {
        try await withRuntime { env, server in
            let app = env.uniqueApp("shop")
            try await env.create(app)
            try await env.setConfig(app, ["GREETING": "hello"])
            _ = try await env.send("POST", "/apps/\(app)/config/secrets", #"{"name":"API_KEY","value":"sk_live_k8s"}"#)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active", timeout: .seconds(20))

            // The objects carry pvdify's label; the Secret holds config and secret values.
            let deployment = try #require(try await server.object("Deployment", "\(app)-web"))
            #expect(deployment["metadata"]?["labels"]?["app.kubernetes.io/managed-by"] == "pvdify")
            #expect(image(deployment) == "\(env.registry)/pvdify-test:v1")
            #expect(deployment["metadata"]?["namespace"] == "apps")
            let secret = try #require(try await server.object("Secret", "\(app)-env"))
            #expect(secret["metadata"]?["labels"]?["app.kubernetes.io/managed-by"] == "pvdify")
            #expect(secret["data"]?["GREETING"]?.stringValue == Data("hello".utf8).base64EncodedString())
            #expect(secret["data"]?["API_KEY"]?.stringValue == Data("sk_live_k8s".utf8).base64EncodedString())
            #expect(try await server.object("Service", app)?["metadata"]?["labels"]?["app.kubernetes.io/managed-by"] == "pvdify")
            try await env.waitUntil("app running", timeout: .seconds(10)) { try await env.get("/apps/\(app)")["status"] == "running" }
            // The secret's value never shows in the release log or the daemon's log.
            #expect(!(try await env.text("/apps/\(app)/releases/1/log")).contains("sk_live_k8s"))
            #expect(!env.daemon.log.contains("sk_live_k8s"))

            // Scale: replicas follow, and the process counts come back from the Deployment status.
            _ = try await env.send("POST", "/apps/\(app)/ps/scale", #"{"web":3}"#)
            try await env.waitUntil("3 replicas ready", timeout: .seconds(10)) {
                let ps = try await env.get("/apps/\(app)/ps")
                return ps["processes"]?[0]?["running"] == 3
            }
            #expect(try await server.object("Deployment", "\(app)-web")?["spec"]?["replicas"] == 3)

            // A rollout that never gets ready fails with the reason; v1 stays active and is applied again.
            try await env.deploy(app, tag: "fail")
            try await env.waitUntil("v2 failed", timeout: .seconds(20)) { try await releaseStatus(env, app, 2) == "failed" }
            let log = try await env.text("/apps/\(app)/releases/2/log")
            #expect(log.contains("ProgressDeadlineExceeded"))
            #expect(try await releaseStatus(env, app, 1) == "active")
            try await env.waitUntil("v1's image applied again", timeout: .seconds(10)) {
                image(try await server.object("Deployment", "\(app)-web")) == "\(env.registry)/pvdify-test:v1"
            }
            try await env.waitUntil("app running again", timeout: .seconds(10)) { try await env.get("/apps/\(app)")["status"] == "running" }

            // A new release, then a rollback to v1: the earlier image is applied again.
            try await env.deploy(app, tag: "v2")
            try await env.waitForRelease(app, version: 3, status: "active", timeout: .seconds(20))
            #expect(image(try await server.object("Deployment", "\(app)-web")) == "\(env.registry)/pvdify-test:v2")
            #expect(try await releaseStatus(env, app, 1) == "superseded")
            let rollback = try await env.send("POST", "/apps/\(app)/rollback", #"{"version":1}"#)
            #expect(rollback["rollback_to"] == 1)
            try await env.waitForRelease(app, version: 4, status: "active", timeout: .seconds(20))
            #expect(image(try await server.object("Deployment", "\(app)-web")) == "\(env.registry)/pvdify-test:v1")
            #expect(try await server.object("Deployment", "\(app)-web")?["spec"]?["replicas"] == 3)

            // Objects the cluster refuses (an admission webhook's 422) fail the release at once.
            try await env.deploy(app, tag: "denied")
            try await env.waitUntil("v5 failed", timeout: .seconds(20)) { try await releaseStatus(env, app, 5) == "failed" }
            #expect(try await env.text("/apps/\(app)/releases/5/log").contains("denied the request"))
            #expect(try await releaseStatus(env, app, 4) == "active")
        }
    }

    /// App `a` with process `b-web` and app `a-b` with process `web` both name a Deployment
    /// `a-b-web`. The app that has it keeps it; the other's release fails, saying why.
    @Test func anAppNeverTakesOverAnotherAppsDeployment() async throws {
        try await withRuntime { env, server in
            let first = env.uniqueApp("k"), second = "\(first)-b"
            try await env.create(first)
            try await env.patch(first, #"{"processes":{"b-web":{"count":1,"command":"/app/run.sh worker"}}}"#)
            try await env.deploy(first, tag: "v1")
            try await env.waitForRelease(first, version: 1, status: "active", timeout: .seconds(20))
            let shared = "\(first)-b-web"
            #expect(try await server.object("Deployment", shared)?["metadata"]?["labels"]?["app.kubernetes.io/name"]?.stringValue == first)

            try await env.create(second)
            try await env.deploy(second, tag: "v2")
            try await env.waitUntil("the second app's release failed", timeout: .seconds(20)) {
                try await releaseStatus(env, second, 1) == "failed"
            }
            #expect(try await env.text("/apps/\(second)/releases/1/log").contains("Deployment/\(shared) belongs to app '\(first)'"))
            let kept = try await server.object("Deployment", shared)
            #expect(kept?["metadata"]?["labels"]?["app.kubernetes.io/name"]?.stringValue == first)
            #expect(image(kept) == "\(env.registry)/pvdify-test:v1")
            #expect(try await releaseStatus(env, first, 1) == "active")
        }
    }

    /// A Deployment someone made by hand with the name pvdify would give an app's process is
    /// never taken over: the release fails saying so, and once it is gone the next deploy works.
    @Test func aHandMadeObjectOfTheSameNameIsNeverTakenOver() async throws {
        try await withRuntime { env, server in
            let app = env.uniqueApp("hand")
            let name = "\(app)-web"
            let handMade = try JSONValue.parse(json: Data("""
                {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "\(name)", "labels": {"team": "ops"}},
                 "spec": {"replicas": 1, "selector": {"matchLabels": {"team": "ops"}},
                          "template": {"metadata": {"labels": {"team": "ops"}},
                                       "spec": {"containers": [{"name": "web", "image": "example.org/hand:1"}]}}}}
                """.utf8))
            var made = try KubernetesRequests.apply(handMade, namespace: "apps")
            made.query = [.init("fieldManager", "kubectl")]
            _ = try await byHand(server) { try await $0.send(made) }

            try await env.create(app)
            try await env.deploy(app, tag: "v1")
            try await env.waitUntil("the release failed", timeout: .seconds(20)) { try await releaseStatus(env, app, 1) == "failed" }
            let log = try await env.text("/apps/\(app)/releases/1/log")
            #expect(log.contains("Deployment/\(name) already exists and was not made by pvdify"), "\(log)")
            let kept = try await server.object("Deployment", name)
            #expect(image(kept) == "example.org/hand:1")
            #expect(kept?["metadata"]?["labels"] == ["team": "ops"])
            #expect(FakeKubernetesServer.owners(of: ["spec", "replicas"], in: try #require(kept)) == ["kubectl"])

            // Deleted by hand, the name is free: the next deploy makes pvdify's own.
            try await byHand(server) { try await $0.delete(.deployment, name: name) }
            try await env.deploy(app, tag: "v2")
            try await env.waitForRelease(app, version: 2, status: "active", timeout: .seconds(20))
            let own = try await server.object("Deployment", name)
            #expect(own?["metadata"]?["labels"]?["app.kubernetes.io/managed-by"] == "pvdify")
            #expect(image(own) == "\(env.registry)/pvdify-test:v2")
        }
    }

    @Test func domainsMakeAnIngressAndRestartsRollThePods() async throws {
        try await withRuntime { env, server in
            let app = env.uniqueApp("news")
            try await env.create(app)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active", timeout: .seconds(20))
            #expect(try await server.object("Ingress", app) == nil)
            _ = try await env.send("POST", "/apps/\(app)/domains", #"{"name":"\#(app).example.com"}"#)
            try await env.waitUntil("an Ingress for the domain", timeout: .seconds(10)) {
                try await server.object("Ingress", app)?["spec"]?["rules"]?[0]?["host"]?.stringValue == "\(app).example.com"
            }
            _ = try await env.send("DELETE", "/apps/\(app)/domains/\(app).example.com", nil)
            try await env.waitUntil("the Ingress deleted", timeout: .seconds(10)) { try await server.object("Ingress", app) == nil }
            #expect(try await server.object("Service", app) != nil)

            // ps/restart rolls the pods as `kubectl rollout restart` does: a new pod-template annotation.
            func restartedAt() async throws -> String? {
                try await server.object("Deployment", "\(app)-web")?["spec"]?["template"]?["metadata"]?["annotations"]?["pvdify.win/restarted-at"]?.stringValue
            }
            #expect(try await restartedAt() == nil)
            let generation = try await server.object("Deployment", "\(app)-web")?["metadata"]?["generation"]?.intValue ?? 0
            _ = try await env.send("POST", "/apps/\(app)/ps/restart", #"{"type":"web"}"#)
            try await env.waitUntil("the pod template annotated", timeout: .seconds(10)) { try await restartedAt() != nil }
            #expect(try await server.object("Deployment", "\(app)-web")?["metadata"]?["generation"]?.intValue ?? 0 > generation)
            try await env.waitUntil("app running after the restart", timeout: .seconds(10)) { try await env.get("/apps/\(app)")["status"] == "running" }
        }
    }

    @Test func handEditsTakenBackForeignFieldsKeptAndDeletionRemovesObjects() async throws {
        // Resyncs are a minute apart: what takes the edits back within seconds is the watch.
        try await withRuntime(resync: "60s") { env, server in
            let app = env.uniqueApp("blog")
            try await env.create(app)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active", timeout: .seconds(20))
            let name = "\(app)-web"

            // The API server drops its watch history: pvdify's watch ends, gets 410 Gone, lists again.
            try await server.compact()
            try await env.waitUntil("the watch started again from a new list", timeout: .seconds(10)) {
                env.daemon.log.contains("listing again")
            }

            // kubectl edit of fields pvdify owns (replicas, image), and of an annotation it does not set.
            try await server.edit("deployments", name, json: #"""
                {"metadata":{"annotations":{"example.com/owner":"ops"}},
                 "spec":{"replicas":4,"template":{"spec":{"containers":[{"name":"web","image":"elsewhere/blog:hacked"}]}}}}
                """#)
            try await env.waitUntil("replicas and image taken back", timeout: .seconds(10)) {
                let deployment = try await server.object("Deployment", name)
                return deployment?["spec"]?["replicas"] == 1 && image(deployment) == "\(env.registry)/pvdify-test:v1"
            }
            let deployment = try #require(try await server.object("Deployment", name))
            #expect(deployment["metadata"]?["annotations"]?["example.com/owner"] == "ops")
            #expect(FakeKubernetesServer.owners(of: ["spec", "replicas"], in: deployment) == ["pvdify"])
            #expect(FakeKubernetesServer.owners(of: ["metadata", "annotations", "example.com/owner"], in: deployment) == ["kubectl-edit"])

            // Deleting the app deletes its objects, found by label.
            _ = try await env.send("DELETE", "/apps/\(app)", nil)
            try await env.waitUntil("objects deleted", timeout: .seconds(10)) {
                try await server.objects().allSatisfy { $0["metadata"]?["labels"]?["app.kubernetes.io/name"]?.stringValue != app }
            }
        }
    }

    @Test func aConvergedAppCostsNoCallsAtResync() async throws {
        try await withRuntime(resync: "1s") { env, server in
            let app = env.uniqueApp("quiet")
            try await env.create(app)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active", timeout: .seconds(20))
            try await env.waitUntil("app running", timeout: .seconds(10)) { try await env.get("/apps/\(app)")["status"] == "running" }
            let before = try await server.calls()
            // Three resyncs visit the app; each finds the watched objects as they were applied.
            try await Task.sleep(for: .seconds(3))
            let after = try await server.calls()
            #expect(after["PATCH"] == before["PATCH"])
            #expect(after["GET"] == before["GET"])
            #expect(after["DELETE", default: 0] == before["DELETE", default: 0])
            #expect(env.daemon.log.contains("release active"))
        }
    }

    @Test func anUnreachableClusterIsReportedAndTheAPIKeepsAnswering() async throws {
        try await withRuntime { env, server in
            let app = env.uniqueApp("dark")
            try await env.create(app)
            try await env.deploy(app, tag: "v1")
            try await env.waitForRelease(app, version: 1, status: "active", timeout: .seconds(20))
            server.stop()
            _ = try await env.send("POST", "/apps/\(app)/ps/scale", #"{"web":2}"#)
            try await env.waitUntil("Ready=False RuntimeUnavailable", timeout: .seconds(20)) {
                let conditions = try await env.get("/apps/\(app)")["conditions"]?.arrayValue ?? []
                return conditions.contains { $0["type"] == "Ready" && $0["status"] == "False" && $0["reason"] == "RuntimeUnavailable" }
            }
            #expect(try await releaseStatus(env, app, 1) == "active")
        }
    }

    @Test func aBadKubeconfigStopsTheDaemonWithAClearMessage() async throws {
        let directory = try KubernetesFixtures.scratchDirectory("bad-kubeconfig")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("kubeconfig")
        try "apiVersion: v1\nkind: Config\n".write(to: file, atomically: true, encoding: .utf8)
        let daemon = DaemonProcess(arguments: ["--runtime", "kubernetes", "--kubeconfig", file.path])
        defer { daemon.cleanUp() }
        await #expect(throws: DaemonError.self) { try await daemon.start() }
        #expect(daemon.log.contains("no current-context"))
    }
}
