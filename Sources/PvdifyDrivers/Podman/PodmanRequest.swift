import Foundation

/// One libpod API call as a plain value: what `PodmanTransport` sends and what tests inspect.
public struct PodmanRequest: Sendable {
    /// The HTTP methods the libpod calls pvdify makes use.
    public enum Method: String, Sendable {
        /// `GET`
        case get = "GET"
        /// `POST`
        case post = "POST"
        /// `DELETE`
        case delete = "DELETE"
    }

    /// The HTTP method.
    public var method: Method
    /// The absolute path, including the API prefix (`/v4.0.0/libpod/...`), already percent-encoded.
    public var path: String
    /// Query parameters in order, not yet percent-encoded.
    public var query: [(String, String)]
    /// A JSON body, or nil.
    public var body: Data?

    /// Makes a request value.
    public init(method: Method, path: String, query: [(String, String)] = [], body: Data? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }

    /// The path with its percent-encoded query string, as sent on the wire.
    public var target: String {
        guard !query.isEmpty else { return path }
        let pairs = query.map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1))" }
        return path + "?" + pairs.joined(separator: "&")
    }
}
