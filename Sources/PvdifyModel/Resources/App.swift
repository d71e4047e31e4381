import Foundation

/// An app as stored: its spec (desired state) with the bookkeeping the store owns.
public struct App: Sendable, Equatable {
    public var name: String
    public var spec: AppSpec
    /// Bumped by every spec change; reconcilers report the one they acted on.
    public var generation: Int
    /// The `PORT` of the web process; unique among existing apps, kept for the app's life.
    public var bindPort: Int
    /// Set on preview apps: the parent app and the pull request.
    public var previewOf: String?
    public var prNumber: Int?
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, spec: AppSpec, generation: Int, bindPort: Int, previewOf: String?, prNumber: Int?, createdAt: Date, updatedAt: Date) {
        self.name = name
        self.spec = spec
        self.generation = generation
        self.bindPort = bindPort
        self.previewOf = previewOf
        self.prNumber = prNumber
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The name of the preview app for pull request `number` of `parent`.
    public static func previewName(parent: String, number: Int) -> String { "\(parent)-pr-\(number)" }
}
