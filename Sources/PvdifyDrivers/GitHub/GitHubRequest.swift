import Foundation

/// One GitHub REST call as a plain value: what `GitHubTransport` sends and what tests inspect.
/// Who it is sent as (the App or an installation) is the client's business, not the value's.
public struct GitHubRequest: Sendable, Equatable {
    /// `GET`, `POST`, ...
    public var method: String
    /// The path below the API base URL (`/repos/{owner}/{repo}/deployments`), already safe to append.
    public var path: String
    /// A JSON body, or nil.
    public var body: Data?

    /// Makes a request value.
    public init(method: String, path: String, body: Data? = nil) {
        self.method = method
        self.path = path
        self.body = body
    }

    /// `POST /repos/o/r/deployments`: the call, for errors and logs (never a token).
    public var call: String { "\(method) \(path)" }
}
