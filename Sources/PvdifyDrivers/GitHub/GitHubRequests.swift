import Foundation

/// Builds the GitHub REST calls pvdify makes, as pure values (see `GitHubRequest`).
public enum GitHubRequests {
    /// `POST /app/installations/{id}/access_tokens`: an installation access token (sent as the App).
    public static func installationToken(installation: Int64) -> GitHubRequest {
        GitHubRequest(method: "POST", path: "/app/installations/\(installation)/access_tokens")
    }

    /// `POST /repos/{owner}/{repo}/deployments`: a transient, non-production deployment of one
    /// commit that GitHub neither merges nor gates on status checks.
    public static func createDeployment(_ repository: GitHubRepository, _ deployment: GitHubDeploymentRequest) -> GitHubRequest {
        let body: [String: Any] = [
            "ref": deployment.ref,
            "environment": deployment.environment,
            "description": deployment.description,
            "transient_environment": true,
            "production_environment": false,
            "auto_merge": false,
            "required_contexts": [String](),
        ]
        return GitHubRequest(method: "POST", path: repository.path + "/deployments", body: json(body))
    }

    /// `POST /repos/{owner}/{repo}/deployments/{id}/statuses`.
    public static func createStatus(_ repository: GitHubRepository, deployment: Int64, _ status: GitHubDeploymentStatus) -> GitHubRequest {
        var body: [String: Any] = ["state": status.state.rawValue, "description": status.description]
        if let url = status.environmentURL { body["environment_url"] = url }
        if let url = status.logURL { body["log_url"] = url }
        return GitHubRequest(method: "POST", path: repository.path + "/deployments/\(deployment)/statuses", body: json(body))
    }

    /// Sorted keys keep the bytes stable for tests; these values always serialize.
    static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}
