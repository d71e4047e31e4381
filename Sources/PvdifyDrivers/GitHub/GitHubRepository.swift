import PvdifyModel

/// An `owner/name` checked against GitHub's rules before it reaches a URL path.
public struct GitHubRepository: Sendable, Hashable, CustomStringConvertible {
    /// The account that owns the repository.
    public let owner: String
    /// The repository's name.
    public let name: String

    /// Nil when `fullName` is not a valid `owner/name` (see `GitHubLink.repositoryProblem`).
    public init?(_ fullName: String) {
        guard GitHubLink.repositoryProblem(fullName) == nil else { return nil }
        let parts = fullName.split(separator: "/")
        owner = String(parts[0])
        name = String(parts[1])
    }

    /// `owner/name`.
    public var description: String { "\(owner)/\(name)" }

    /// `/repos/owner/name`; owner and name hold only characters a path takes as they are.
    var path: String { "/repos/\(owner)/\(name)" }
}
