import Foundation
import PvdifyModel
import Testing

@testable import PvdifyDrivers

@Suite struct KubernetesRequestsTests {
    let deployment: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "shop-web", "labels": ["app.kubernetes.io/managed-by": "pvdify"]],
        "spec": ["replicas": 2],
    ]

    @Test func applyIsAForcedServerSideApplyAsPvdify() throws {
        let request = try KubernetesRequests.apply(deployment, namespace: "apps")
        #expect(request.method == "PATCH")
        #expect(request.path == "/apis/apps/v1/namespaces/apps/deployments/shop-web")
        #expect(request.target == "/apis/apps/v1/namespaces/apps/deployments/shop-web?fieldManager=pvdify&force=true")
        #expect(request.contentType == "application/apply-patch+yaml")
        let body = try JSONValue.parse(json: try #require(request.body))
        #expect(body["metadata"]?["namespace"] == "apps")
        #expect(body["spec"]?["replicas"] == 2)
        #expect(body["kind"] == "Deployment")
    }

    @Test func applyWithoutForceLeavesTheFlagOut() throws {
        let request = try KubernetesRequests.apply(deployment, namespace: "apps", force: false)
        #expect(request.target == "/apis/apps/v1/namespaces/apps/deployments/shop-web?fieldManager=pvdify")
    }

    @Test func coreKindsLiveUnderApi() throws {
        let secret: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "shop-env"]]
        #expect(try KubernetesRequests.apply(secret, namespace: "default").path == "/api/v1/namespaces/default/secrets/shop-env")
        let ingress: JSONValue = ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ["name": "shop"]]
        #expect(try KubernetesRequests.apply(ingress, namespace: "default").path == "/apis/networking.k8s.io/v1/namespaces/default/ingresses/shop")
    }

    @Test func applyRefusesUnknownKindsAndNamelessObjects() {
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "x"]]
        #expect(throws: KubernetesError.self) { try KubernetesRequests.apply(pod, namespace: "default") }
        let nameless: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": [:]]
        #expect(throws: KubernetesError.self) { try KubernetesRequests.apply(nameless, namespace: "default") }
    }

    @Test func getDeleteListAndWatch() {
        #expect(KubernetesRequests.get(.service, namespace: "ns", name: "shop").target == "/api/v1/namespaces/ns/services/shop")
        let delete = KubernetesRequests.delete(.deployment, namespace: "ns", name: "shop-web")
        #expect(delete.method == "DELETE")
        #expect(delete.target == "/apis/apps/v1/namespaces/ns/deployments/shop-web?propagationPolicy=Background")
        let selector = KubernetesRequests.selector(app: "shop")
        #expect(selector == "app.kubernetes.io/managed-by=pvdify,app.kubernetes.io/name=shop")
        #expect(KubernetesRequests.list(.deployment, namespace: "ns", labelSelector: selector).target
            == "/apis/apps/v1/namespaces/ns/deployments?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dpvdify%2Capp.kubernetes.io%2Fname%3Dshop")
        let watch = KubernetesRequests.watch(.deployment, namespace: "ns", labelSelector: "a=b", resourceVersion: "42")
        #expect(watch.method == "GET")
        #expect(watch.target == "/apis/apps/v1/namespaces/ns/deployments?labelSelector=a%3Db&watch=1&resourceVersion=42&timeoutSeconds=290")
    }

    @Test func errorsComeFromTheStatusObject() {
        let body = Data(#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Apply failed with 1 conflict","reason":"Conflict","code":409}"#.utf8)
        let error = KubernetesError.decode(status: 409, body: body, call: "PATCH /x")
        #expect(error.status == 409)
        #expect(error.reason == "Conflict")
        #expect(error.message == "Apply failed with 1 conflict")
        let plain = KubernetesError.decode(status: 502, body: Data("bad gateway".utf8), call: "GET /y")
        #expect(plain.reason == "Unknown")
        #expect(plain.message == "bad gateway")
    }

    @Test func aWatchErrorEventIsThrown() throws {
        let line = Array(#"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"}}"#.utf8)
        #expect { try KubernetesWatchEvent.decode(line, call: "GET /w") } throws: { ($0 as? KubernetesError)?.isGone == true }
        let added = try KubernetesWatchEvent.decode(Array(#"{"type":"ADDED","object":{"kind":"Deployment"}}"#.utf8), call: "GET /w")
        #expect(added.type == "ADDED")
        #expect(added.object["kind"] == "Deployment")
    }

    @Test func theClientSendsTheTokenAndTheMediaType() async throws {
        let config = try KubernetesConfig(server: URL(string: "http://127.0.0.1:6443/")!, token: "abc", namespace: "apps")
        let client = try KubernetesClient(config: config)
        let call = client.call(for: try KubernetesRequests.apply(deployment, namespace: "apps"))
        #expect(call.url == "http://127.0.0.1:6443/apis/apps/v1/namespaces/apps/deployments/shop-web?fieldManager=pvdify&force=true")
        #expect(call.headers.contains { $0.name == "Authorization" && $0.value == "Bearer abc" })
        #expect(call.headers.contains { $0.name == "Content-Type" && $0.value == "application/apply-patch+yaml" })
        #expect(!config.description.contains("abc"))
        try await client.shutdown()
    }
}
