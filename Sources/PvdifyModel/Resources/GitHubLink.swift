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

    /// Whether `fullName` (a webhook payload's `repository.full_name`, or an OIDC token's
    /// `repository` claim) names this app's repository.
    public func matches(_ fullName: String) -> Bool { repo.lowercased() == fullName.lowercased() }

    /// Reads `{repo, ref?, environment?}`; `null` for `ref` or `environment` removes the condition.
    public static func parse(_ reader: FieldReader, base: GitHubLink?) throws -> GitHubLink {
        try reader.rejectUnknown(allowed: ["repo", "ref", "environment"])
        var link = base ?? GitHubLink(repo: "")
        if let repo = try reader.string("repo") {
            if let problem = repositoryProblem(repo) { throw ValidationError(field: reader.path("repo"), message: problem) }
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

    /// Why `text` is not a GitHub repository's full name, or nil. GitHub's rules: the owner is 1 to
    /// 39 letters, digits and hyphens, not starting or ending with a hyphen; the name is 1 to 100
    /// letters, digits, `.`, `_` and `-`, and not `.` or `..`.
    public static func repositoryProblem(_ text: String) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let rule = "must be owner/name: an owner of 1 to 39 letters, digits and '-' (not first or last), "
            + "a name of 1 to 100 letters, digits, '.', '_' and '-' (not '.' or '..')"
        guard parts.count == 2 else { return rule }
        let owner = parts[0].utf8
        let name = parts[1].utf8
        let ownerValid = (1...39).contains(owner.count) && owner.first != UInt8(ascii: "-") && owner.last != UInt8(ascii: "-")
            && owner.allSatisfy { Rules.isAlnum($0) || $0 == UInt8(ascii: "-") }
        let nameValid = (1...100).contains(name.count) && parts[1] != "." && parts[1] != ".."
            && name.allSatisfy { Rules.isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        return ownerValid && nameValid ? nil : rule
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
