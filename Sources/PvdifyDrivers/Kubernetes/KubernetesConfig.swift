import Foundation
import PvdifyModel

/// Where the Kubernetes API is and how pvdify proves who it is: from a kubeconfig file's current
/// context, or from the service account a pod runs as. Validated when made, so a bad file stops
/// pvdifyd at start with a message that says what is wrong. Its description never shows secrets.
public struct KubernetesConfig: Sendable, Equatable, CustomStringConvertible {
    /// The API server, `https://host:port` (`http` is accepted for a local stand-in).
    public var server: URL
    /// PEM certificates that sign the server's certificate; nil: the system's roots.
    public var certificateAuthority: [UInt8]?
    /// Skip checking the server's certificate (the kubeconfig's `insecure-skip-tls-verify`).
    public var insecureSkipTLSVerify: Bool
    /// A bearer token.
    public var token: String?
    /// A PEM client certificate and its key, for clusters that authenticate by certificate.
    public var clientCertificate: [UInt8]?
    public var clientKey: [UInt8]?
    /// The namespace pvdify writes into.
    public var namespace: String

    /// Makes a configuration (checked as the loaders check theirs).
    public init(
        server: URL, certificateAuthority: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false, token: String? = nil,
        clientCertificate: [UInt8]? = nil, clientKey: [UInt8]? = nil, namespace: String = "default"
    ) throws {
        guard let scheme = server.scheme, scheme == "https" || scheme == "http", server.host != nil else {
            throw Invalid("the server must be an https URL, not '\(server.absoluteString)'")
        }
        if let problem = KubernetesNames.namespaceProblem(namespace) { throw Invalid("namespace '\(namespace)' \(problem)") }
        guard (clientCertificate == nil) == (clientKey == nil) else {
            throw Invalid("a client certificate needs its key, and a key its certificate")
        }
        if let token, token.isEmpty || token.contains(where: { $0.isNewline || $0 == " " }) {
            throw Invalid("the token must be one line without spaces")
        }
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.token = token
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.namespace = namespace
    }

    /// A configuration that cannot be used, and why.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public var description: String {
        let auth = token != nil ? "token" : clientCertificate != nil ? "client certificate" : "none"
        return "server=\(server.absoluteString) namespace=\(namespace) auth=\(auth)"
    }

    // MARK: - kubeconfig

    /// The current context of the kubeconfig at `path`; `namespace` overrides the context's.
    public static func kubeconfig(at path: String, namespace: String? = nil) throws -> KubernetesConfig {
        let file = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: file.path), data.count <= 1 << 20 else {
            throw Invalid("cannot read the kubeconfig \(path) (missing, unreadable or over 1 MiB)")
        }
        return try parseKubeconfig(String(decoding: data, as: UTF8.self), directory: file.deletingLastPathComponent(), namespace: namespace)
    }

    /// Parses a kubeconfig; relative file names in it are read from `directory`.
    public static func parseKubeconfig(_ text: String, directory: URL, namespace override: String? = nil) throws -> KubernetesConfig {
        let document: JSONValue
        do {
            document = try YAMLDocuments.parseOne(text)
        } catch {
            throw Invalid("the kubeconfig is not valid YAML: \(error)")
        }
        guard let current = document["current-context"]?.stringValue, !current.isEmpty else {
            throw Invalid("the kubeconfig has no current-context")
        }
        let context = try named(document, "contexts", current, field: "context")
        guard let clusterName = context["cluster"]?.stringValue else { throw Invalid("context '\(current)' names no cluster") }
        let cluster = try named(document, "clusters", clusterName, field: "cluster")
        guard let serverText = cluster["server"]?.stringValue, let server = URL(string: serverText) else {
            throw Invalid("cluster '\(clusterName)' has no server URL")
        }
        var authority: [UInt8]?
        if let base64 = cluster["certificate-authority-data"]?.stringValue {
            authority = try decodeBase64(base64, what: "certificate-authority-data")
        } else if let file = cluster["certificate-authority"]?.stringValue {
            authority = try read(file, directory: directory, what: "certificate-authority")
        }
        var token: String?, certificate: [UInt8]?, key: [UInt8]?
        if let userName = context["user"]?.stringValue {
            let user = try named(document, "users", userName, field: "user")
            if user["exec"] != nil || user["auth-provider"] != nil {
                throw Invalid("user '\(userName)' logs in through an exec or auth-provider plugin, which pvdifyd does not run; give it a token or a client certificate")
            }
            if user["username"] != nil || user["password"] != nil {
                throw Invalid("user '\(userName)' uses a password; give it a token or a client certificate")
            }
            if let text = user["token"]?.stringValue {
                token = text
            } else if let file = user["tokenFile"]?.stringValue {
                token = String(decoding: try read(file, directory: directory, what: "tokenFile"), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if let base64 = user["client-certificate-data"]?.stringValue {
                certificate = try decodeBase64(base64, what: "client-certificate-data")
            } else if let file = user["client-certificate"]?.stringValue {
                certificate = try read(file, directory: directory, what: "client-certificate")
            }
            if let base64 = user["client-key-data"]?.stringValue {
                key = try decodeBase64(base64, what: "client-key-data")
            } else if let file = user["client-key"]?.stringValue {
                key = try read(file, directory: directory, what: "client-key")
            }
        }
        return try KubernetesConfig(
            server: server, certificateAuthority: authority,
            insecureSkipTLSVerify: cluster["insecure-skip-tls-verify"] == .bool(true), token: token,
            clientCertificate: certificate, clientKey: key,
            namespace: override ?? context["namespace"]?.stringValue ?? "default")
    }

    // MARK: - in a pod

    /// Where a pod's service account is mounted.
    public static let serviceAccountDirectory = URL(fileURLWithPath: "/var/run/secrets/kubernetes.io/serviceaccount")

    /// The pod's service account: the API server from `KUBERNETES_SERVICE_HOST`/`_PORT`, the token,
    /// CA and namespace from `directory`; `namespace` overrides the service account's.
    public static func inCluster(
        environment: [String: String], directory: URL = serviceAccountDirectory, namespace override: String? = nil
    ) throws -> KubernetesConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], Int(port) != nil
        else { throw Invalid("not in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (give --kubeconfig)") }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let server = URL(string: "https://\(hostPart):\(port)") else { throw Invalid("KUBERNETES_SERVICE_HOST is not a host") }
        let token = String(decoding: try read("token", directory: directory, what: "service account token"), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let authority = try read("ca.crt", directory: directory, what: "service account CA")
        let namespace = (try? read("namespace", directory: directory, what: "namespace"))
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        return try KubernetesConfig(
            server: server, certificateAuthority: authority, token: token, namespace: override ?? namespace ?? "default")
    }

    // MARK: - helpers

    /// The `field` of the entry called `name` in the list `list` (`contexts`, `clusters`, `users`).
    private static func named(_ document: JSONValue, _ list: String, _ name: String, field: String) throws -> JSONValue {
        guard let entry = document[list]?.arrayValue?.first(where: { $0["name"]?.stringValue == name }),
              let value = entry[field], value.objectValue != nil
        else { throw Invalid("the kubeconfig has no \(field) named '\(name)' in \(list)") }
        return value
    }

    private static func decodeBase64(_ text: String, what: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Invalid("\(what) is not base64")
        }
        return Array(data)
    }

    private static func read(_ name: String, directory: URL, what: String) throws -> [UInt8] {
        let file = name.hasPrefix("/") ? URL(fileURLWithPath: name) : directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: file.path), data.count <= 1 << 20 else {
            throw Invalid("cannot read the \(what) file \(file.path)")
        }
        return Array(data)
    }
}
