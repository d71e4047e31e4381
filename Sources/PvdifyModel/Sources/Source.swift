import Foundation

/// A Source as stored: spec, generation, status, and which credentials are set (never their values).
public struct Source: Sendable, Equatable {
    public var name: String
    public var spec: SourceSpec
    public var generation: Int
    public var status: SourceStatus?
    /// Names of the credentials set (`token`, `ssh_private_key`, ...), never their values.
    public var credentialKinds: [String]
    /// The last time a sync was asked for (`POST /sources/{name}/sync`).
    public var syncRequestedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: String, spec: SourceSpec, generation: Int, status: SourceStatus?, credentialKinds: [String],
        syncRequestedAt: Date?, createdAt: Date, updatedAt: Date
    ) {
        self.name = name
        self.spec = spec
        self.generation = generation
        self.status = status
        self.credentialKinds = credentialKinds
        self.syncRequestedAt = syncRequestedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Which source owns an app, from which commit and file (`managed_by` on the app).
public struct AppOwner: Sendable, Equatable {
    public var source: String
    public var revision: String
    public var path: String

    public init(source: String, revision: String, path: String) {
        self.source = source
        self.revision = revision
        self.path = path
    }
}
