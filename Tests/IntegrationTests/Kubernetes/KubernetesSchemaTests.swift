import Foundation
import PvdifyModel
import PvdifyTestSupport
import Testing

/// The objects rendered from every example manifest validate against the Kubernetes schemas of a
/// pinned version, strictly (an unknown field fails), with `hack/validate-kubernetes.sh`
/// (kubernetes-validate from PyPI). Without PyPI the script fails, and so does this suite.
@Suite(.serialized, .timeLimit(.minutes(10))) struct KubernetesSchemaTests {
    static var script: String { BuiltProducts.repositoryRoot.appendingPathComponent("hack/validate-kubernetes.sh").path }

    func validate(_ files: [URL]) async throws -> ChildProcess.Outcome {
        try await ChildProcess.run("/bin/bash", [Self.script] + files.map(\.path), environment: ProcessInfo.processInfo.environment)
    }

    @Test func everyExampleRendersToValidObjects() async throws {
        let manifests = try KubernetesFixtures.exampleManifests()
        let names = Set(manifests.map(\.name))
        // The examples cover a web + worker app and one with domains and a secret.
        #expect(names.isSuperset(of: ["hello", "web-worker", "shop"]))
        #expect(manifests.contains { $0.spec.processes.count > 1 } && manifests.contains { !$0.domains.isEmpty && !$0.secrets.isEmpty })

        let directory = try KubernetesFixtures.scratchDirectory("pvdify-k8s-schema")
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [URL] = []
        var expected: [String] = []
        for (index, manifest) in manifests.enumerated() {
            for namespace in [nil, "pvdify-apps"] {
                let objects = KubernetesRenderer.objects(KubernetesFixtures.app(manifest, namespace: namespace))
                let file = directory.appendingPathComponent("\(index)-\(manifest.name)-\(namespace ?? "none").yaml")
                try KubernetesDocuments.yaml(objects).write(to: file, atomically: true, encoding: .utf8)
                files.append(file)
                expected += objects.map { "\($0["kind"]?.stringValue?.lowercased() ?? "")/\($0["metadata"]?["name"]?.stringValue ?? "")" }
            }
        }
        #expect(expected.contains("ingress/shop") && expected.contains("deployment/web-worker-worker"))

        let outcome = try await validate(files)
        #expect(outcome.status == 0, "\(outcome.output)")
        let passed = outcome.output.split(separator: "\n").filter { $0.contains(" passed for resource ") && $0.contains("against version 1.31") }
        #expect(passed.count == expected.count, "\(outcome.output)")
        for resource in Set(expected) {
            #expect(passed.contains { $0.contains("resource \(resource) ") }, "\(resource) not validated:\n\(outcome.output)")
        }
    }

    /// Without PyPI the script cannot install the validator: it fails and says so, never skipping.
    @Test func anUnreachablePyPIFailsTheValidation() async throws {
        let directory = try KubernetesFixtures.scratchDirectory("pvdify-k8s-nopypi")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("objects.yaml")
        try "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n".write(to: file, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["PVDIFY_TEST_STATE"] = directory.appendingPathComponent("state").path
        environment["PIP_INDEX_URL"] = "http://127.0.0.1:9/simple"  // a closed port: nothing is reachable
        environment["PIP_EXTRA_INDEX_URL"] = nil
        let outcome = try await ChildProcess.run("/bin/bash", [Self.script, file.path], environment: environment)
        #expect(outcome.status != 0, "\(outcome.output)")
        #expect(outcome.output.contains("FAILED to install kubernetes-validate"), "\(outcome.output)")
        #expect(!outcome.output.contains("passed for resource"), "\(outcome.output)")
    }

    /// Strict mode bites: a misspelt field in an otherwise valid Deployment fails the validation.
    @Test func anUnknownFieldFails() async throws {
        let manifest = try #require(try KubernetesFixtures.exampleManifests().first { $0.name == "web-worker" })
        let objects = KubernetesRenderer.objects(KubernetesFixtures.app(manifest))
        guard case .object(var deployment) = objects[1], case .object(var spec)? = deployment["spec"] else {
            Issue.record("no Deployment rendered")
            return
        }
        spec["replica"] = 2
        deployment["spec"] = .object(spec)
        let directory = try KubernetesFixtures.scratchDirectory("pvdify-k8s-schema")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("broken.yaml")
        try KubernetesDocuments.yaml([.object(deployment)]).write(to: file, atomically: true, encoding: .utf8)
        let outcome = try await validate([file])
        #expect(outcome.status != 0, "\(outcome.output)")
        #expect(outcome.output.contains("'replica' was unexpected"), "\(outcome.output)")
    }
}
