import Foundation

/// A preview record: the desired state of one pull request's preview of an app. The preview app
/// (`{parent}-pr-{n}`) is derived from it and from the parent's spec; the record is what callers
/// (and, later, webhooks) create, update and delete.
public struct Preview: Sendable, Equatable {
    /// The parent app.
    public var parent: String
    /// The pull request number.
    public var prNumber: Int
    /// The image the preview runs.
    public var image: String
    /// The pull request's head commit, when known.
    public var headSHA: String?
    /// The pull request's head branch, when known.
    public var branch: String?
    /// Whether the pull request comes from a fork (such previews never get the parent's secrets).
    public var fork: Bool
    public var createdAt: Date
    /// The last create-or-update; the TTL counts from here.
    public var updatedAt: Date
    /// When the sweeper deletes the preview unless it is updated before.
    public var expiresAt: Date

    public init(
        parent: String, prNumber: Int, image: String, headSHA: String?, branch: String?, fork: Bool,
        createdAt: Date, updatedAt: Date, expiresAt: Date
    ) {
        self.parent = parent
        self.prNumber = prNumber
        self.image = image
        self.headSHA = headSHA
        self.branch = branch
        self.fork = fork
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
    }

    /// The preview app's name.
    public var name: String { App.previewName(parent: parent, number: prNumber) }

    /// The largest pull request number accepted.
    public static let maxPRNumber = 999_999
    /// How long a preview app's name may be (a DNS label).
    public static let maxNameLength = 63

    /// Why `sha` is not a commit id (7 to 64 lowercase hex digits), or nil.
    public static func headSHAProblem(_ sha: String) -> String? {
        guard (7...64).contains(sha.count), sha.allSatisfy({ $0.isASCII && $0.isHexDigit && !$0.isUppercase }) else {
            return "must be 7 to 64 lowercase hex digits"
        }
        return nil
    }

    /// Why `branch` is not a plain branch name (1 to 255 of `A-Z a-z 0-9 . _ / -`, no `..`), or nil.
    public static func branchProblem(_ branch: String) -> String? {
        let allowed = branch.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._/-".unicodeScalars.contains(scalar))
        }
        guard (1...255).contains(branch.count), allowed, !branch.contains(".."), !branch.hasPrefix("-"), !branch.hasPrefix("/") else {
            return "must be 1 to 255 characters of A-Z, a-z, 0-9, '.', '_', '/' and '-', without '..'"
        }
        return nil
    }
}
