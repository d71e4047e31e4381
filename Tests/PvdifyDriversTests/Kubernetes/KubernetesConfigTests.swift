import Foundation
import Testing

@testable import PvdifyDrivers

@Suite struct KubernetesConfigTests {
    static let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    func kubeconfig(user: String, cluster: String = "server: https://k8s.example:6443", namespace: String = "") -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: work
        contexts:
        - name: other
          context: {cluster: nowhere, user: nobody}
        - name: work
          context:
            cluster: prod
            user: deployer
        \(namespace.isEmpty ? "" : "    namespace: \(namespace)")
        clusters:
        - name: prod
          cluster:
            \(cluster)
        users:
        - name: deployer
          user:
            \(user)
        """
    }

    @Test func currentContextWithTokenAndInlineCA() throws {
        let ca = Data(Self.pem.utf8).base64EncodedString()
        let text = kubeconfig(user: "token: s3cret", cluster: "server: https://k8s.example:6443\n    certificate-authority-data: \(ca)", namespace: "shop")
        let config = try KubernetesConfig.parseKubeconfig(text, directory: try scratch())
        #expect(config.server.absoluteString == "https://k8s.example:6443")
        #expect(config.token == "s3cret")
        #expect(config.certificateAuthority == Array(Self.pem.utf8))
        #expect(config.namespace == "shop")
        #expect(!config.description.contains("s3cret"))
    }

    @Test func namespaceDefaultsAndOverride() throws {
        let text = kubeconfig(user: "token: t")
        #expect(try KubernetesConfig.parseKubeconfig(text, directory: try scratch()).namespace == "default")
        #expect(try KubernetesConfig.parseKubeconfig(text, directory: try scratch(), namespace: "team-a").namespace == "team-a")
        #expect(throws: KubernetesConfig.Invalid.self) {
            try KubernetesConfig.parseKubeconfig(text, directory: try scratch(), namespace: "Not_A_Label")
        }
    }

    @Test func filesAreReadRelativeToTheKubeconfig() throws {
        let directory = try scratch()
        try Self.pem.write(to: directory.appendingPathComponent("ca.pem"), atomically: true, encoding: .utf8)
        try Self.pem.write(to: directory.appendingPathComponent("client.pem"), atomically: true, encoding: .utf8)
        try "KEY".write(to: directory.appendingPathComponent("client.key"), atomically: true, encoding: .utf8)
        try "file-token\n".write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let text = kubeconfig(
            user: "client-certificate: client.pem\n    client-key: client.key\n    tokenFile: token",
            cluster: "server: https://k8s.example:6443\n    certificate-authority: ca.pem")
        let path = directory.appendingPathComponent("config")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let config = try KubernetesConfig.kubeconfig(at: path.path)
        #expect(config.certificateAuthority == Array(Self.pem.utf8))
        #expect(config.clientCertificate == Array(Self.pem.utf8))
        #expect(config.clientKey == Array("KEY".utf8))
        #expect(config.token == "file-token")
    }

    @Test func clearErrors() throws {
        let directory = try scratch()
        func problem(_ text: String) -> String {
            do {
                _ = try KubernetesConfig.parseKubeconfig(text, directory: directory)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(problem("kind: Config") .contains("no current-context"))
        #expect(problem(kubeconfig(user: "exec: {command: aws}")).contains("exec or auth-provider"))
        #expect(problem(kubeconfig(user: "token: t", cluster: "server: ftp://k8s.example")).contains("https URL"))
        #expect(problem(kubeconfig(user: "token: t", cluster: "certificate-authority: missing.pem\n    server: https://a")).contains("cannot read"))
        #expect(problem(kubeconfig(user: "client-certificate-data: \(Data("x".utf8).base64EncodedString())")).contains("needs its key"))
        #expect(problem("current-context: x\ncontexts: []").contains("no context named 'x'"))
        #expect(throws: KubernetesConfig.Invalid.self) { try KubernetesConfig.kubeconfig(at: directory.appendingPathComponent("none").path) }
    }

    @Test func inClusterReadsTheServiceAccount() throws {
        let directory = try scratch()
        try "sa-token\n".write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try Self.pem.write(to: directory.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        try "pvdify-apps".write(to: directory.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let config = try KubernetesConfig.inCluster(environment: environment, directory: directory)
        #expect(config.server.absoluteString == "https://10.96.0.1:443")
        #expect(config.token == "sa-token")
        #expect(config.certificateAuthority == Array(Self.pem.utf8))
        #expect(config.namespace == "pvdify-apps")
        #expect(throws: KubernetesConfig.Invalid.self) { try KubernetesConfig.inCluster(environment: [:], directory: directory) }
    }
}
