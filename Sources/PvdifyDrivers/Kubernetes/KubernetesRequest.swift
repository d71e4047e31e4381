import Foundation

/// One Kubernetes API call as a plain value: what `KubernetesClient` sends and what tests inspect.
public struct KubernetesRequest: Sendable, Equatable {
    /// The HTTP method: `GET`, `PATCH`, `DELETE`.
    public var method: String
    /// The path below the server URL, already percent-encoded.
    public var path: String
    /// Query parameters in order, not yet percent-encoded.
    public var query: [Query]
    /// The body, if any.
    public var body: Data?
    /// The body's media type (`application/apply-patch+yaml` for server-side apply).
    public var contentType: String?

    /// One query parameter.
    public typealias Query = QueryParameter

    /// Makes a request value.
    public init(method: String, path: String, query: [Query] = [], body: Data? = nil, contentType: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.contentType = contentType
    }

    /// The path with its percent-encoded query string.
    public var target: String { QueryParameter.target(path, query) }
}
