import Foundation

/// The app's `github` section: the repository it is built from, and the conditions a GitHub
/// Actions run of that repository must meet to get a deploy token for it (`ref`, `environment`).
public struct GitHubLink: Sendable, Equatable, Codable {
    /// `owner/name` as on GitHub; compared without regard to case, as GitHub does.
    public var repo: String
    /// When set, only runs whose OIDC `ref` claim is exactly this (like `refs/heads/main`).
    public var ref: String?
    /// When set, only runs of jobs in this GitHub environment (the `environment` claim).
    public var environment: String?

    /// A link to `repo`, with the conditions a run must meet, if any.
    public init(repo: String, ref: String? = nil, environment: String? = nil) {
        self.repo = repo
        self.ref = ref
        self.environment = environment
    }

    /// Whether `repository` (a token's claim) names this app's repository.
    public func matches(repository: String) -> Bool { repo.lowercased() == repository.lowercased() }

    /// Reads `{repo, ref?, environment?}`; `null` for `ref` or `environment` removes the condition.
    public static func parse(_ reader: FieldReader, base: GitHubLink?) throws -> GitHubLink {
        try reader.rejectUnknown(allowed: ["repo", "ref", "environment"])
        var link = base ?? GitHubLink(repo: "")
        if let repo = try reader.string("repo") {
            if let problem = repoProblem(repo) { throw ValidationError(field: reader.path("repo"), message: problem) }
            link.repo = repo
        }
        guard !link.repo.isEmpty else { throw ValidationError(field: reader.path("repo"), message: "is required, like org/name") }
        if reader.has("ref") {
            link.ref = try reader.string("ref")
            if let ref = link.ref, let problem = refProblem(ref) { throw ValidationError(field: reader.path("ref"), message: problem) }
        }
        if reader.has("environment") {
            link.environment = try reader.string("environment")
            if let environment = link.environment, let problem = environmentProblem(environment) {
                throw ValidationError(field: reader.path("environment"), message: problem)
            }
        }
        return link
    }

    static let ownerBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-".utf8)
    static let nameBytes = ownerBytes.union(Set("._".utf8))

    /// GitHub's rules: an owner of 1 to 39 letters, digits and '-', a name of 1 to 100 letters,
    /// digits, '.', '_' and '-' (not `.` or `..`).
    public static func repoProblem(_ repo: String) -> String? {
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...39).contains(parts[0].utf8.count), parts[0].utf8.allSatisfy(ownerBytes.contains),
              (1...100).contains(parts[1].utf8.count), parts[1].utf8.allSatisfy(nameBytes.contains), parts[1] != ".", parts[1] != ".."
        else { return "must be a GitHub repository like org/name" }
        return nil
    }

    static func refProblem(_ ref: String) -> String? {
        guard ref.hasPrefix("refs/"), (6...255).contains(ref.utf8.count), ref.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f })
        else { return "must be a full git ref like refs/heads/main or refs/tags/v1" }
        return nil
    }

    static func environmentProblem(_ environment: String) -> String? {
        guard (1...255).contains(environment.utf8.count), environment.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f })
        else { return "must be a GitHub environment name (1 to 255 printable characters)" }
        return nil
    }
}
