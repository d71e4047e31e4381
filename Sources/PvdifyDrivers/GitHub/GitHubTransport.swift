import AsyncHTTPClient
import Foundation

/// Sends GitHub calls; the client decides what to do with the status. A protocol so that tests
/// can answer calls without a server.
public protocol GitHubSending: Sendable {
    /// Sends `request` with `Authorization: Bearer <credential>` and returns the whole answer;
    /// throws `GitHubError` (status 0) when no answer came.
    func send(_ request: GitHubRequest, credential: String) async throws -> GitHubAnswer
}

/// A whole answer from GitHub.
public struct GitHubAnswer: Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// The body.
    public var body: Data

    /// Makes an answer value.
    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// The real transport: GitHub's REST API (or a GitHub Enterprise Server's, `https://HOST/api/v3`)
/// over the shared HTTP client, with the headers GitHub asks for.
public struct GitHubTransport: GitHubSending {
    /// The API base without a trailing slash; request paths are appended to it.
    public let baseURL: String
    /// How long one call may take.
    public let timeout: Duration
    let executor: HTTPExecutor

    /// GitHub's answers to these calls are small.
    static let maxBodyBytes = 1 << 20
    /// The REST API version the calls are written against.
    public static let apiVersion = "2022-11-28"
    /// GitHub refuses calls without a User-Agent.
    public static let userAgent = "pvdify"

    /// A transport for `baseURL` (`https://api.github.com` by default).
    public init(baseURL: URL, timeout: Duration = .seconds(15), httpClient: HTTPClient = .shared) {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.timeout = timeout
        self.executor = HTTPExecutor(client: httpClient)
    }

    /// The call a request makes, with its credential and GitHub's headers.
    public func call(for request: GitHubRequest, credential: String) -> HTTPCall {
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/vnd.github+json"),
            ("X-GitHub-Api-Version", Self.apiVersion),
            ("User-Agent", Self.userAgent),
            ("Authorization", "Bearer \(credential)"),
        ]
        if request.body != nil { headers.append(("Content-Type", "application/json")) }
        return HTTPCall(method: request.method, url: baseURL + request.path, headers: headers, body: request.body)
    }

    public func send(_ request: GitHubRequest, credential: String) async throws -> GitHubAnswer {
        do {
            let answer = try await executor.send(call(for: request, credential: credential), timeout: timeout, maxBodyBytes: Self.maxBodyBytes)
            return GitHubAnswer(status: answer.status, body: answer.body)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw GitHubError(status: 0, message: "no answer from \(baseURL): \(error)", call: request.call)
        }
    }
}
