import PvdifyModel

/// What pvdify reads of a `pull_request` webhook payload; the rest is never looked at. Every
/// value is checked before use: the repository's name by GitHub's rules, the head SHA and branch
/// by the preview record's rules.
struct GitHubPullRequest: Sendable, Equatable {
    /// `opened`, `reopened`, `synchronize`, `closed`, ...
    var action: String
    var number: Int
    /// The base repository's `full_name`: the one apps opt in from.
    var repository: String
    var headSHA: String
    /// Nil when GitHub's branch name is not one a preview record takes (the preview gets none).
    var branch: String?
    /// The head is in another repository than the base, or its repository is gone.
    var fork: Bool
    /// The GitHub App installation that sent the event (`installation.id`); nil from a plain webhook.
    var installationID: Int64? = nil

    /// Why a payload cannot be used, in words for the answer.
    struct Unreadable: Error {
        let reason: String
    }

    static func read(_ payload: JSONValue) throws(Unreadable) -> GitHubPullRequest {
        guard let action = payload["action"]?.stringValue, action.utf8.count <= 64 else {
            throw Unreadable(reason: "The payload has no action")
        }
        guard let pull = payload["pull_request"], let number = payload["number"]?.intValue ?? pull["number"]?.intValue,
            (1...Preview.maxPRNumber).contains(number)
        else {
            throw Unreadable(reason: "The payload has no pull request number between 1 and \(Preview.maxPRNumber)")
        }
        guard let repository = payload["repository"]?["full_name"]?.stringValue, GitHubLink.repositoryProblem(repository) == nil else {
            throw Unreadable(reason: "The payload has no valid repository.full_name")
        }
        guard let sha = pull["head"]?["sha"]?.stringValue, Preview.headSHAProblem(sha) == nil else {
            throw Unreadable(reason: "The payload has no valid pull_request.head.sha")
        }
        let branch = pull["head"]?["ref"]?.stringValue.flatMap { Preview.branchProblem($0) == nil ? $0 : nil }
        let base = pull["base"]?["repo"]?["full_name"]?.stringValue ?? repository
        let head = pull["head"]?["repo"]?["full_name"]?.stringValue
        let fork = head.map { $0.lowercased() != base.lowercased() } ?? true
        let installation = payload["installation"]?["id"]?.intValue.flatMap { $0 > 0 ? Int64($0) : nil }
        return GitHubPullRequest(
            action: action, number: number, repository: repository, headSHA: sha, branch: branch, fork: fork,
            installationID: installation)
    }
}
