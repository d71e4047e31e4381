import Foundation
import PvdifyDrivers
import PvdifyModel
import Testing

/// The Kubernetes API stand-in, driven by pvdify's own client: server-side apply with field
/// managers and conflicts, get, list, delete, watch (and 410 Gone), and the simulated Deployment
/// controller. What the runtime tests rely on is checked here first.
@Suite struct KubernetesStandInTests {
    func deployment(_ name: String, app: String, replicas: Int = 2, image: String = "registry.test/app:v1", labels: [String: String] = [:]) -> JSONValue {
        var allLabels = ["app.kubernetes.io/name": app, "app.kubernetes.io/managed-by": "pvdify"]
        allLabels.merge(labels) { _, new in new }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "labels": .map(allLabels)],
            "spec": [
                "replicas": .int(replicas),
                "selector": ["matchLabels": ["app.kubernetes.io/name": .string(app)]],
                "template": ["spec": ["containers": [["name": "web", "image": .string(image)]]]],
            ],
        ]
    }

    func withStandIn(_ body: (FakeKubernetesServer, KubernetesClient) async throws -> Void) async throws {
        let server = try await FakeKubernetesServer.start()
        defer { server.stop() }
        let client = try server.client()
        do {
            try await body(server, client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @Test func ownedFieldTakenBackForeignFieldLeftAloneConflictWithoutForce() async throws {
        try await withStandIn { server, client in
            let desired = deployment("shop-web", app: "shop")
            _ = try await client.apply(desired)
            try await server.edit("deployments", "shop-web", json: #"{"spec":{"replicas":5},"metadata":{"annotations":{"team":"web"}}}"#)
            let edited = try #require(try await client.get(.deployment, name: "shop-web"))
            #expect(edited["spec"]?["replicas"] == 5)
            #expect(FakeKubernetesServer.owners(of: ["spec", "replicas"], in: edited) == ["kubectl-edit"])

            // Without force, a field another manager changed is a conflict, and nothing changes.
            let refusal = await #expect(throws: KubernetesError.self) { try await client.apply(desired, force: false) }
            #expect(refusal?.status == 409)
            #expect(refusal?.reason == "Conflict")
            #expect(refusal?.message.contains(".spec.replicas") == true)
            #expect(try await client.get(.deployment, name: "shop-web")?["spec"]?["replicas"] == 5)

            // With force, pvdify's value comes back and the field is pvdify's again; the annotation stays.
            let applied = try await client.apply(desired)
            #expect(applied["spec"]?["replicas"] == 2)
            #expect(applied["metadata"]?["annotations"]?["team"] == "web")
            #expect(FakeKubernetesServer.owners(of: ["spec", "replicas"], in: applied) == ["pvdify"])
            #expect(FakeKubernetesServer.owners(of: ["metadata", "annotations", "team"], in: applied) == ["kubectl-edit"])
        }
    }

    @Test func anEqualValueIsSharedAndADroppedFieldIsRemoved() async throws {
        try await withStandIn { _, client in
            _ = try await client.apply(deployment("shop-web", app: "shop", labels: ["tier": "front"]))
            let again = try await client.apply(deployment("shop-web", app: "shop"))
            #expect(again["metadata"]?["labels"]?["tier"] == nil)
            #expect(again["metadata"]?["labels"]?["app.kubernetes.io/name"] == "shop")
            // Applying the same object again changes nothing: same resource version (a Secret: no
            // controller writes its status in between).
            let secret: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "shop-env"], "data": ["A": "Yg=="]]
            let version = try await client.apply(secret)["metadata"]?["resourceVersion"]
            #expect(version != nil)
            #expect(try await client.apply(secret)["metadata"]?["resourceVersion"] == version)
        }
    }

    @Test func getListDeleteAndWatch() async throws {
        try await withStandIn { _, client in
            _ = try await client.apply(deployment("shop-web", app: "shop"))
            _ = try await client.apply(deployment("blog-web", app: "blog"))
            let listed = try await client.list(.deployment, labelSelector: KubernetesRequests.selector(app: "shop"))
            #expect(listed.items.compactMap { $0["metadata"]?["name"]?.stringValue } == ["shop-web"])
            #expect(try await client.get(.deployment, name: "nothing") == nil)

            let events = client.watch(.deployment, labelSelector: KubernetesRequests.selector(app: "shop"), resourceVersion: listed.resourceVersion)
            _ = try await client.apply(deployment("blog-web", app: "blog", replicas: 4))
            _ = try await client.apply(deployment("shop-web", app: "shop", replicas: 3))
            try await client.delete(.deployment, name: "shop-web")
            try await client.delete(.deployment, name: "shop-web")  // already gone: not an error
            var seen: [String] = []
            for try await event in events {
                #expect(event.object["metadata"]?["name"] == "shop-web")
                if event.type == "MODIFIED", event.object["spec"]?["replicas"] == 3 { seen.append("scaled") }
                if event.type == "DELETED" {
                    seen.append("deleted")
                    break
                }
            }
            #expect(seen.first == "scaled")
            #expect(seen.last == "deleted")
            #expect(try await client.get(.deployment, name: "shop-web") == nil)
        }
    }

    @Test func aWatchFromAForgottenVersionIsGone() async throws {
        try await withStandIn { server, client in
            let listed = try await client.list(.deployment, labelSelector: KubernetesRequests.selector())
            _ = try await client.apply(deployment("shop-web", app: "shop"))
            try await server.compact()
            let events = client.watch(.deployment, labelSelector: KubernetesRequests.selector(), resourceVersion: listed.resourceVersion)
            await #expect { for try await _ in events {} } throws: { ($0 as? KubernetesError)?.isGone == true }
        }
    }

    @Test func theDeploymentControllerReportsReadyAndAStuckRollout() async throws {
        try await withStandIn { _, client in
            _ = try await client.apply(deployment("shop-web", app: "shop"))
            try await waitFor("ready") { DeploymentRollout(try await client.get(.deployment, name: "shop-web") ?? .null).isComplete }
            _ = try await client.apply(deployment("shop-web", app: "shop", image: "registry.test/app:fail"))
            try await waitFor("the deadline") {
                DeploymentRollout(try await client.get(.deployment, name: "shop-web") ?? .null).failure != nil
            }
            let stuck = DeploymentRollout(try await client.get(.deployment, name: "shop-web") ?? .null)
            #expect(stuck.failure?.contains("ProgressDeadlineExceeded") == true)
            #expect(stuck.ready == 2)  // the old pods keep serving
        }
    }

    func waitFor(_ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DaemonError(message: "timed out waiting for \(what)")
    }
}
