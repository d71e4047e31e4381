import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL
import PvdifyModel

/// Talks to one namespace of a Kubernetes API server: server-side apply, get, list, delete and
/// watch. Requests are built by `KubernetesRequests`; this is the one place that sends them, with
/// the bearer token or client certificate of its configuration. Errors carry the server's
/// `Status`; the token and request bodies (a Secret's values) never appear in logs or errors.
public final class KubernetesClient: Sendable {
    /// Where and as whom.
    public let config: KubernetesConfig
    /// How long one call may take.
    public let timeout: Duration
    private let httpClient: HTTPClient
    private let executor: HTTPExecutor
    private static let maxBodyBytes = 16 * 1024 * 1024
    /// How long connecting may take, retries included: an API server that is down shows as
    /// unreachable after this, not after the whole call's timeout.
    public static let connectTimeout: Duration = .seconds(3)

    /// A client for `config`, with an HTTP client of its own (the CA and client certificate of an
    /// `https` server, a short connect timeout); call `shutdown()` when done with it.
    public init(config: KubernetesConfig, timeout: Duration = .seconds(30)) throws {
        self.config = config
        self.timeout = timeout
        var tls: TLSConfiguration?
        if config.server.scheme == "https" {
            var settings = TLSConfiguration.makeClientConfiguration()
            do {
                if let authority = config.certificateAuthority {
                    settings.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(authority))
                }
                if let certificate = config.clientCertificate, let key = config.clientKey {
                    settings.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                    settings.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
                }
            } catch {
                throw KubernetesConfig.Invalid("the CA or client certificate is not PEM: \(error)")
            }
            if config.insecureSkipTLSVerify { settings.certificateVerification = .none }
            tls = settings
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout.connect = TimeAmount(Self.connectTimeout)
        httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        executor = HTTPExecutor(client: httpClient)
    }

    /// Shuts down the client's HTTP client.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    /// The namespace the client writes into.
    public var namespace: String { config.namespace }

    // MARK: - Calls

    /// Server-side applies `object` as field manager `pvdify`; answers the object as stored
    /// (with its `status`).
    public func apply(_ object: JSONValue, force: Bool = true) async throws -> JSONValue {
        try await send(KubernetesRequests.apply(object, namespace: namespace, force: force))
    }

    /// The object, or nil when there is none.
    public func get(_ resource: KubernetesResource, name: String) async throws -> JSONValue? {
        do {
            return try await send(KubernetesRequests.get(resource, namespace: namespace, name: name))
        } catch let error as KubernetesError where error.isNotFound {
            return nil
        }
    }

    /// Deletes the object; one already gone is not an error.
    public func delete(_ resource: KubernetesResource, name: String) async throws {
        do {
            _ = try await send(KubernetesRequests.delete(resource, namespace: namespace, name: name))
        } catch let error as KubernetesError where error.isNotFound {
            return
        }
    }

    /// The objects matching `labelSelector`, and the list's resource version (to watch from).
    public func list(_ resource: KubernetesResource, labelSelector: String) async throws -> (items: [JSONValue], resourceVersion: String) {
        let answer = try await send(KubernetesRequests.list(resource, namespace: namespace, labelSelector: labelSelector))
        return (answer["items"]?.arrayValue ?? [], answer["metadata"]?["resourceVersion"]?.stringValue ?? "")
    }

    /// The events of the objects matching `labelSelector` after `resourceVersion`, until the
    /// server ends the watch or the consumer stops. A resource version the server no longer has
    /// ends the stream with a `KubernetesError` whose `isGone` is true: list again, then watch.
    public func watch(
        _ resource: KubernetesResource, labelSelector: String, resourceVersion: String
    ) -> AsyncThrowingStream<KubernetesWatchEvent, any Error> {
        let request = KubernetesRequests.watch(resource, namespace: namespace, labelSelector: labelSelector, resourceVersion: resourceVersion)
        let call = "\(request.method) \(request.path)"
        let executor = self.executor
        let httpCall = self.call(for: request)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    // The server ends the watch after the request's timeoutSeconds; this deadline is a backstop.
                    let response = try await executor.open(httpCall, timeout: .seconds(request.watchTimeout + 30))
                    let status = Int(response.status.code)
                    guard status < 400 else {
                        let body = try await response.body.collect(upTo: Self.maxBodyBytes)
                        throw KubernetesError.decode(status: status, body: Data(body.readableBytesView), call: call)
                    }
                    var splitter = LineSplitter()
                    for try await chunk in response.body {
                        for line in splitter.append(chunk.readableBytesView) where !line.isEmpty {
                            continuation.yield(try KubernetesWatchEvent.decode(line, call: call))
                        }
                    }
                    continuation.finish()
                } catch let error as KubernetesError {
                    continuation.finish(throwing: error)
                } catch {
                    continuation.finish(throwing: KubernetesError(status: 0, reason: "Unreachable", message: "\(error)", call: call))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Sends a request and decodes its JSON answer; throws `KubernetesError` for an error answer
    /// (the server's `Status`) or when no answer came.
    public func send(_ request: KubernetesRequest) async throws -> JSONValue {
        let call = "\(request.method) \(request.path)"
        let answer: HTTPAnswer
        do {
            answer = try await executor.send(self.call(for: request), timeout: timeout, maxBodyBytes: Self.maxBodyBytes)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw KubernetesError(status: 0, reason: "Unreachable", message: "no answer from \(config.server.absoluteString): \(error)", call: call)
        }
        guard answer.status < 400 else { throw KubernetesError.decode(status: answer.status, body: answer.body, call: call) }
        guard !answer.body.isEmpty else { return .null }
        do {
            return try JSONValue.parse(json: answer.body)
        } catch {
            throw KubernetesError(status: answer.status, reason: "BadAnswer", message: "the answer is not JSON", call: call)
        }
    }

    /// The HTTP call of a request, with the credentials.
    public func call(for request: KubernetesRequest) -> HTTPCall {
        var base = config.server.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var headers = [(name: "Accept", value: "application/json")]
        if let token = config.token { headers.append((name: "Authorization", value: "Bearer \(token)")) }
        if let type = request.contentType { headers.append((name: "Content-Type", value: type)) }
        return HTTPCall(method: request.method, url: base + request.target, headers: headers, body: request.body)
    }
}

extension KubernetesRequest {
    /// A watch's `timeoutSeconds` (0 for other requests).
    var watchTimeout: Int { query.first { $0.name == "timeoutSeconds" }.flatMap { Int($0.value) } ?? 0 }
}
