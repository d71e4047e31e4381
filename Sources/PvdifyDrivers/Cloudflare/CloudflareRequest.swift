import Foundation

/// One Cloudflare API v4 call as a plain value: what `CloudflareTransport` sends and what tests inspect.
public struct CloudflareRequest: Sendable, Equatable {
    /// The HTTP methods of the calls pvdify makes.
    public enum Method: String, Sendable {
        /// `GET`
        case get = "GET"
        /// `POST`
        case post = "POST"
        /// `PUT`
        case put = "PUT"
        /// `PATCH`
        case patch = "PATCH"
        /// `DELETE`
        case delete = "DELETE"
    }

    /// The HTTP method.
    public var method: Method
    /// The path below the API base URL (`/zones/{id}/dns_records`), already percent-encoded.
    public var path: String
    /// Query parameters in order, not yet percent-encoded.
    public var query: [Query]
    /// A JSON body, or nil.
    public var body: Data?

    /// One query parameter.
    public typealias Query = QueryParameter

    /// Makes a request value.
    public init(method: Method, path: String, query: [Query] = [], body: Data? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }

    /// Whether the call changes anything in Cloudflare (everything but `GET`).
    public var isMutating: Bool { method != .get }

    /// The path with its percent-encoded query string, as appended to the base URL.
    public var target: String { QueryParameter.target(path, query) }
}
