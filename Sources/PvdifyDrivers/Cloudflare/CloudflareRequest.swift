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

    /// One query parameter (a tuple would not be `Equatable`).
    public struct Query: Sendable, Equatable {
        /// The parameter's name, e.g. `comment.startswith`.
        public var name: String
        /// Its value.
        public var value: String

        /// Makes a parameter.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

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
    public var target: String {
        guard !query.isEmpty else { return path }
        let pairs = query.map { "\(PercentEncoding.encode($0.name))=\(PercentEncoding.encode($0.value))" }
        return path + "?" + pairs.joined(separator: "&")
    }
}
