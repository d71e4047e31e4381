import Foundation
import PvdifyModel
import Testing

@testable import PvdifyControllers

/// What the Kubernetes reconciler changes in the rendered objects before applying them.
@Suite struct KubernetesObjectsTests {
    let app = KubernetesApp(
        name: "shop", spec: AppSpec(processes: ["web": ProcessSpec(command: nil, count: 2), "worker": ProcessSpec(command: "run", count: 1)]),
        port: 3000, domains: [], release: 4, image: "registry.test/shop:v4", config: ["GREETING": "hi", "API_KEY": "sk_1"])

    @Test func theSecretIsAppliedUnderData() throws {
        let secret = KubernetesReconciler.secretAsData(KubernetesRenderer.secret(app))
        #expect(secret["stringData"] == nil)
        #expect(secret["data"]?["GREETING"] == .string(Data("hi".utf8).base64EncodedString()))
        #expect(secret["data"]?["API_KEY"] == .string(Data("sk_1".utf8).base64EncodedString()))
        // Other objects pass through unchanged.
        let deployment = KubernetesRenderer.deployment(app, process: "web")
        #expect(KubernetesReconciler.secretAsData(deployment) == deployment)
    }

    @Test func aRestartAnnotatesOnlyItsProcessPodTemplate() throws {
        let when = Date(timeIntervalSince1970: 1_800_000_000)
        let web = KubernetesReconciler.restarted(KubernetesRenderer.deployment(app, process: "web"), restarts: ["web": when])
        let annotations = web["spec"]?["template"]?["metadata"]?["annotations"]
        #expect(annotations?[KubernetesReconciler.restartedAtAnnotation] == "2027-01-15T08:00:00Z")
        #expect(annotations?[KubernetesNames.releaseAnnotation] == "4")
        let worker = KubernetesRenderer.deployment(app, process: "worker")
        #expect(KubernetesReconciler.restarted(worker, restarts: ["web": when]) == worker)
        #expect(KubernetesReconciler.restarted(KubernetesRenderer.deployment(app, process: "web"), restarts: [:])
            == KubernetesRenderer.deployment(app, process: "web"))
    }

    @Test func aLiveObjectWithDefaultsAndForeignFieldsHoldsWhatWasApplied() {
        let wanted = KubernetesRenderer.deployment(app, process: "web")
        var live = wanted
        live.setField(["metadata", "annotations", "example.com/owner"], "ops")
        live.setField(["metadata", "resourceVersion"], "42")
        live.setField(["status", "readyReplicas"], 2)
        #expect(KubernetesObjectCache.holds(live, wanted))
        var edited = live
        edited.setField(["spec", "replicas"], 5)
        #expect(!KubernetesObjectCache.holds(edited, wanted))
        #expect(!KubernetesObjectCache.holds(["spec": ["ports": [1, 2]]], ["spec": ["ports": [1]]]))
        #expect(KubernetesObjectCache.holds(["spec": ["ports": [["port": 80, "protocol": "TCP"]]]], ["spec": ["ports": [["port": 80]]]]))
        #expect(KubernetesObjectCache.holds(["cpu": .double(2)], ["cpu": 2]))
    }

    @Test func objectKeys() {
        #expect(KubernetesReconciler.key(KubernetesRenderer.service(app)) == "Service/shop")
        #expect(KubernetesReconciler.key(KubernetesRenderer.deployment(app, process: "worker")) == "Deployment/shop-worker")
        #expect(KubernetesReconciler.key(["kind": "Secret"]) == nil)
    }
}

extension JSONValue {
    /// Sets a nested field, making the maps on the way (for building live objects in tests).
    fileprivate mutating func setField(_ path: [String], _ value: JSONValue) {
        guard let key = path.first else {
            self = value
            return
        }
        var members = objectValue ?? [:]
        var child = members[key] ?? .object([:])
        child.setField(Array(path.dropFirst()), value)
        members[key] = child
        self = .object(members)
    }
}
