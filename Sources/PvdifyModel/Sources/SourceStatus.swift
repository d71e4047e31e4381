import Foundation

/// What the source reconciler last saw and did, written by it alone.
public struct SourceStatus: Sendable, Equatable, Codable {
    /// The last commit fetched from the remote.
    public var revision: String?
    public var lastAppliedRevision: String?
    public var lastAttemptedRevision: String?
    public var observedGeneration: Int
    public var conditions: [Condition]
    /// Apps the source owns, and the file each came from.
    public var inventory: [SourceInventoryEntry]
    /// The last syncs, newest first, at most `historyLimit`.
    public var history: [SyncRecord]
    /// When the last sync attempt ended (a poll that found nothing new counts).
    public var lastSyncAt: Date?

    public static let historyLimit = 10

    public init(
        revision: String? = nil, lastAppliedRevision: String? = nil, lastAttemptedRevision: String? = nil,
        observedGeneration: Int = 0, conditions: [Condition] = [], inventory: [SourceInventoryEntry] = [],
        history: [SyncRecord] = [], lastSyncAt: Date? = nil
    ) {
        self.revision = revision
        self.lastAppliedRevision = lastAppliedRevision
        self.lastAttemptedRevision = lastAttemptedRevision
        self.observedGeneration = observedGeneration
        self.conditions = conditions
        self.inventory = inventory
        self.history = history
        self.lastSyncAt = lastSyncAt
    }

    /// Adds a sync to the front of the history, keeping the newest `historyLimit`.
    public mutating func record(_ sync: SyncRecord) {
        history.insert(sync, at: 0)
        if history.count > Self.historyLimit { history.removeLast(history.count - Self.historyLimit) }
    }

    /// Sets the `Ready` condition, keeping its transition time when its status did not change.
    public mutating func setReady(_ ready: Bool, reason: String, message: String, now: Date = Date()) {
        let status = ready ? "True" : "False"
        let previous = conditions.first { $0.type == ConditionType.ready }
        let since = previous?.status == status ? previous!.lastTransitionTime : now
        conditions.removeAll { $0.type == ConditionType.ready }
        conditions.append(Condition(type: ConditionType.ready, status: status, reason: reason, message: message, lastTransitionTime: since))
    }

    /// The `Ready` condition, if set.
    public var ready: Condition? { conditions.first { $0.type == ConditionType.ready } }

    enum CodingKeys: String, CodingKey {
        case revision, conditions, inventory, history
        case lastAppliedRevision = "last_applied_revision"
        case lastAttemptedRevision = "last_attempted_revision"
        case observedGeneration = "observed_generation"
        case lastSyncAt = "last_sync_at"
    }
}

/// One app a source owns.
public struct SourceInventoryEntry: Sendable, Equatable, Codable {
    public var app: String
    /// The file the app came from, relative to the repository root.
    public var path: String

    public init(app: String, path: String) {
        self.app = app
        self.path = path
    }
}

/// One sync of a source: what it applied, from which commit, and how it ended.
public struct SyncRecord: Sendable, Equatable, Codable {
    public var revision: String?
    public var time: Date
    /// The `Ready` reason the sync ended with (`Succeeded`, `ValidationFailed`, ...).
    public var outcome: String
    public var created: [String]
    public var changed: [String]
    public var pruned: [String]
    public var unchanged: [String]
    public var message: String

    public init(
        revision: String?, time: Date, outcome: String, created: [String] = [], changed: [String] = [],
        pruned: [String] = [], unchanged: [String] = [], message: String = ""
    ) {
        self.revision = revision
        self.time = time
        self.outcome = outcome
        self.created = created
        self.changed = changed
        self.pruned = pruned
        self.unchanged = unchanged
        self.message = message
    }
}

/// The `Ready` reasons of a Source.
public enum SourceReason {
    public static let succeeded = "Succeeded"
    public static let fetchFailed = "FetchFailed"
    public static let authenticationFailed = "AuthenticationFailed"
    public static let validationFailed = "ValidationFailed"
    public static let applyFailed = "ApplyFailed"
    public static let pruneBlocked = "PruneBlocked"
    public static let suspended = "Suspended"
    /// Some apps in the repository belong to someone else and were left alone; the rest applied.
    public static let conflicts = "Conflicts"
    public static let pending = "Pending"
}
