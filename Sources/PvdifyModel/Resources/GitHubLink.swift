/// An app's `github` section: the repository whose pull requests get previews of the app
/// (`spec.github: {repo: org/name}`). Matching against webhook payloads ignores case, as GitHub does.
public struct GitHubLink: Sendable, Equatable, Codable {
    /// `owner/name`, as written by the user.
    public var repo: String

    public init(repo: String) {
        self.repo = repo
    }

    /// Whether `fullName` (a payload's `repository.full_name`) is this repository.
    public func matches(_ fullName: String) -> Bool { repo.lowercased() == fullName.lowercased() }

    /// Reads `{repo: owner/name}`; unknown fields are refused.
    public static func parse(_ reader: FieldReader) throws -> GitHubLink {
        try reader.rejectUnknown(allowed: ["repo"])
        let repo = try reader.requiredString("repo")
        if let problem = repositoryProblem(repo) { throw ValidationError(field: reader.path("repo"), message: problem) }
        return GitHubLink(repo: repo)
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
}
