/// What the store knows when a sync applies: read inside the sync's transaction, so the plan made
/// from it holds when the transaction writes.
public struct SourceSyncSnapshot: Sendable, Equatable {
    public var source: String
    public var spec: SourceSpec
    /// The apps in the repository at the fetched commit, and the file of each.
    public var desired: [SourceInventoryEntry]
    public var existing: Set<String>
    /// Preview apps, which no source may take.
    public var previews: Set<String>
    /// The owning source of every owned app.
    public var owners: [String: String]

    public init(
        source: String, spec: SourceSpec, desired: [SourceInventoryEntry], existing: Set<String>, previews: Set<String>,
        owners: [String: String]
    ) {
        self.source = source
        self.spec = spec
        self.desired = desired
        self.existing = existing
        self.previews = previews
        self.owners = owners
    }
}

/// What a sync does: apply these apps (creating or updating, owned by the source afterwards),
/// leave the conflicts alone, prune or let go of apps that left the repository; or nothing at all
/// when `blocked` says why.
public struct SourceSyncPlan: Sendable, Equatable {
    public var apply: [String] = []
    /// App name and why it is left alone.
    public var conflicts: [SourceConflict] = []
    /// Owned apps to delete.
    public var prune: [String] = []
    /// Owned apps that left the repository and stay, no longer managed (prune is off).
    public var release: [String] = []
    /// Why nothing at all is applied (the mass-prune guard).
    public var blocked: String?

    public init(apply: [String] = [], conflicts: [SourceConflict] = [], prune: [String] = [], release: [String] = [], blocked: String? = nil) {
        self.apply = apply
        self.conflicts = conflicts
        self.prune = prune
        self.release = release
        self.blocked = blocked
    }
}

/// An app of the repository that the sync leaves alone, and why.
public struct SourceConflict: Sendable, Equatable, Codable {
    public var app: String
    public var message: String

    public init(app: String, message: String) {
        self.app = app
        self.message = message
    }
}
