import Foundation
import PvdifyModel
import PvdifyTestSupport

/// Rendered Kubernetes objects for the proof tests: from the example manifests, written to files.
enum KubernetesFixtures {
    /// Every App document in the examples and in the commented `manifests/app.yaml`.
    static func exampleManifests() throws -> [AppManifest] {
        let root = BuiltProducts.repositoryRoot
        let examples = root.appendingPathComponent("examples")
        var files = try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted().map {
            examples.appendingPathComponent("\($0)/app.yaml")
        }.filter { FileManager.default.fileExists(atPath: $0.path) }
        let gitops = examples.appendingPathComponent("gitops-repo/apps")
        files += try FileManager.default.contentsOfDirectory(atPath: gitops.path).sorted().map { gitops.appendingPathComponent($0) }
        files.append(root.appendingPathComponent("manifests/app.yaml"))
        return try files.flatMap { file in
            try YAMLDocuments.parse(String(contentsOf: file, encoding: .utf8)).map { try AppManifest.parse($0.value) }
        }
    }

    /// An app as the export renders it: release 1 of the manifest's image, on port 3000, its
    /// secrets by name only.
    static func app(_ manifest: AppManifest, namespace: String? = nil) -> KubernetesApp {
        KubernetesApp(
            name: manifest.name, spec: manifest.spec, port: 3000, domains: manifest.domains, release: 1,
            image: manifest.spec.image ?? "127.0.0.1:5000/pvdify-test:v1", config: manifest.config,
            secretsToFillIn: manifest.secrets, namespace: namespace)
    }

    /// A fresh directory under the system's temporary directory.
    static func scratchDirectory(_ prefix: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
