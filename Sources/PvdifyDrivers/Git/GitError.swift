/// Why a git run failed. Messages carry git's own last line of output (URLs never hold
/// credentials, so it cannot leak one), cut short.
public enum GitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server refused the credentials, asked for some that are not set, or the host key did not match the pin.
    case authenticationFailed(String)
    /// Anything else: the server could not be reached, the ref does not exist, a timeout.
    case failed(String)

    public var description: String {
        switch self {
        case .authenticationFailed(let message), .failed(let message): message
        }
    }

    /// Classifies a failed run by git's and ssh's messages.
    public static func classify(status: Int32, stderr: String) -> GitError {
        let lines = stderr.split(whereSeparator: \.isNewline).map { String($0) }.filter { !$0.isEmpty }
        let message = String((lines.last ?? "git exited with status \(status)").prefix(300))
        let markers = [
            "Authentication failed", "could not read Username", "could not read Password", "Permission denied (",
            "Host key verification failed", "HTTP Basic: Access denied", "The requested URL returned error: 401",
            "The requested URL returned error: 403", "No RSA host key is known", "REMOTE HOST IDENTIFICATION HAS CHANGED",
            "Invalid username or password",
        ]
        if markers.contains(where: stderr.contains) {
            let detail = lines.first { line in markers.contains(where: line.contains) } ?? message
            return .authenticationFailed(String(detail.prefix(300)))
        }
        return .failed(message)
    }
}
