/// The states of a GitHub deployment status that pvdify posts.
public enum GitHubDeploymentState: String, Sendable, Codable, CaseIterable {
    /// The preview's release is rolling out.
    case inProgress = "in_progress"
    /// The preview serves its release.
    case success
    /// The preview's release failed.
    case failure
    /// The preview is gone, or a newer commit replaced this one.
    case inactive
}

/// The body of `POST /repos/{owner}/{repo}/deployments/{id}/statuses`.
public struct GitHubDeploymentStatus: Sendable, Equatable {
    /// What GitHub shows.
    public var state: GitHubDeploymentState
    /// At most `maxDescription` characters (GitHub's limit); longer text is cut.
    public var description: String
    /// The preview's URL (`success`).
    public var environmentURL: String?
    /// Where to read more: the preview app's page in the Admin UI.
    public var logURL: String?

    /// GitHub refuses longer descriptions.
    public static let maxDescription = 140

    /// Makes a status; the description is cut to `maxDescription` characters.
    public init(state: GitHubDeploymentState, description: String, environmentURL: String? = nil, logURL: String? = nil) {
        self.state = state
        self.description = String(description.prefix(Self.maxDescription))
        self.environmentURL = environmentURL
        self.logURL = logURL
    }
}

/// The body of `POST /repos/{owner}/{repo}/deployments` for one preview commit.
public struct GitHubDeploymentRequest: Sendable, Equatable {
    /// The commit deployed (the pull request's head SHA).
    public var ref: String
    /// `pr-{n}`: a transient environment per pull request.
    public var environment: String
    /// A short text GitHub shows.
    public var description: String

    /// Makes a deployment request; the description is cut to 140 characters.
    public init(ref: String, environment: String, description: String) {
        self.ref = ref
        self.environment = environment
        self.description = String(description.prefix(GitHubDeploymentStatus.maxDescription))
    }
}
