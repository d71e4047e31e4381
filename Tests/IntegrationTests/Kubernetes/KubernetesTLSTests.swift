import Foundation
import PvdifyDrivers
import PvdifyModel
import PvdifyTestSupport
import Testing

/// pvdify's Kubernetes client over HTTPS, as a kubeconfig configures it: the server's certificate
/// checked against the kubeconfig's CA, and a client certificate as the credential. The stand-in
/// serves TLS with certificates made here by `openssl` for 127.0.0.1.
@Suite struct KubernetesTLSTests {
    /// A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA.
    static func makeCertificates(in directory: URL) async throws {
        let ext = directory.appendingPathComponent("leaf.ext")
        try "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n"
            .write(to: ext, atomically: true, encoding: .utf8)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        var commands = [["req", "-x509"] + key + ["-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "2", "-subj", "/CN=pvdify-test-ca"]]
        for leaf in ["server", "client"] {
            commands.append(["req"] + key + ["-keyout", path("\(leaf).key"), "-out", path("\(leaf).csr"), "-subj", "/CN=\(leaf)"])
            commands.append([
                "x509", "-req", "-in", path("\(leaf).csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
                "-out", path("\(leaf).pem"), "-days", "2", "-extfile", ext.path,
            ])
        }
        for command in commands {
            let outcome = try await ChildProcess.run("/usr/bin/openssl", command, environment: ProcessInfo.processInfo.environment)
            guard outcome.status == 0 else { throw DaemonError(message: "openssl \(command[0]) failed: \(outcome.output)") }
        }
    }

    func kubeconfig(server: String, directory: URL, ca: Bool, clientCertificate: Bool) throws -> URL {
        let file = directory.appendingPathComponent("kubeconfig-\(UUID().uuidString)")
        let user = clientCertificate ? "{client-certificate: client.pem, client-key: client.key}" : "{token: not-a-certificate}"
        let cluster = ca ? "{server: \"\(server)\", certificate-authority: ca.pem}" : "{server: \"\(server)\"}"
        try """
            apiVersion: v1
            kind: Config
            current-context: tls
            contexts: [{name: tls, context: {cluster: tls, user: tls, namespace: apps}}]
            clusters: [{name: tls, cluster: \(cluster)}]
            users: [{name: tls, user: \(user)}]
            """.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func theCAAndTheClientCertificateOfTheKubeconfigAreUsed() async throws {
        let directory = try KubernetesFixtures.scratchDirectory("kubernetes-tls")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Self.makeCertificates(in: directory)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let server = try await FakeKubernetesServer.start(arguments: [
            "--tls-cert", path("server.pem"), "--tls-key", path("server.key"), "--client-ca", path("ca.pem"),
        ])
        defer { server.stop() }
        let url = "https://127.0.0.1:\(server.port)"
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret",
            "metadata": ["name": "tls-env", "labels": ["app.kubernetes.io/managed-by": "pvdify", "app.kubernetes.io/name": "tls"]],
            "data": ["A": "Yg=="],
        ]

        // Trusting the CA and showing the client certificate: calls go through.
        let trusted = try KubernetesClient(config: try KubernetesConfig.kubeconfig(
            at: try kubeconfig(server: url, directory: directory, ca: true, clientCertificate: true).path))
        defer { Task { try? await trusted.shutdown() } }
        let applied = try await trusted.apply(secret)
        #expect(applied["metadata"]?["namespace"] == "apps")
        #expect(try await trusted.list(.secret, labelSelector: KubernetesRequests.selector(app: "tls")).items.count == 1)

        // Without the CA the server's certificate is not trusted.
        // (A refused handshake is tried again until the call's deadline: a short one keeps the test short.)
        let untrusting = try KubernetesClient(config: try KubernetesConfig.kubeconfig(
            at: try kubeconfig(server: url, directory: directory, ca: false, clientCertificate: true).path), timeout: .seconds(2))
        defer { Task { try? await untrusting.shutdown() } }
        await #expect { try await untrusting.get(.secret, name: "tls-env") } throws: { ($0 as? KubernetesError)?.isUnreachable == true }

        // Without a client certificate the server does not let the call in.
        let anonymous = try KubernetesClient(config: try KubernetesConfig.kubeconfig(
            at: try kubeconfig(server: url, directory: directory, ca: true, clientCertificate: false).path), timeout: .seconds(2))
        defer { Task { try? await anonymous.shutdown() } }
        await #expect { try await anonymous.get(.secret, name: "tls-env") } throws: { ($0 as? KubernetesError)?.isUnreachable == true }
    }
}
