import Foundation

/// Changes as they cross from one pvdifyd to the others on a shared database (PostgreSQL
/// NOTIFY payloads, at most 8000 bytes): which process sent them, which feed, and the changes.
struct ChangeMessage: Codable, Equatable {
    /// The sending process, so it ignores its own messages.
    var origin: String
    /// `apps` (`Store.changes`) or `sources` (`Store.sourceChanges`).
    var feed: String
    /// App (or source) and kind, as `[name, kind]` pairs.
    var changes: [[String]]

    /// Changes per message: app names are at most 63 characters, so 50 stay far below the limit.
    static let batch = 50

    /// `changes` cut into messages.
    static func messages(origin: String, feed: String, _ changes: [Change]) -> [String] {
        stride(from: 0, to: changes.count, by: batch).compactMap { start in
            let slice = changes[start..<min(start + batch, changes.count)]
            let message = ChangeMessage(origin: origin, feed: feed, changes: slice.map { [$0.app, $0.kind.rawValue] })
            return try? Columns.encode(message)
        }
    }

    /// The changes a payload holds; unknown kinds are skipped (a newer pvdifyd's).
    var decoded: [Change] {
        changes.compactMap { pair in
            guard pair.count == 2, let kind = Change.Kind(rawValue: pair[1]) else { return nil }
            return Change(pair[0], kind)
        }
    }
}
