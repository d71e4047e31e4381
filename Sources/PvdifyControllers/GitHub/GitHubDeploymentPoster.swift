import PvdifyDrivers

/// What the deployment reconciler needs from GitHub: a protocol so that its tests can use a fake.
public protocol GitHubDeploymentPoster: Sendable {
    /// Creates a deployment and returns its id.
    func createDeployment(_ repository: GitHubRepository, installation: Int64, _ deployment: GitHubDeploymentRequest) async throws -> Int64
    /// Posts a status of a deployment.
    func createStatus(_ repository: GitHubRepository, installation: Int64, deployment: Int64, _ status: GitHubDeploymentStatus) async throws
}

extension GitHubAppClient: GitHubDeploymentPoster {}
