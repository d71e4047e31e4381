import Foundation

/// A zone of the stand-in's one account.
struct FakeZone: Sendable {
    var id: String
    var name: String
    var status: String
    var createdOn: String

    var json: [String: Any] {
        [
            "id": id, "name": name, "status": status, "paused": false, "type": "full",
            "name_servers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"], "created_on": createdOn, "modified_on": createdOn,
        ]
    }
}

/// A DNS record as Cloudflare stores it (names fully qualified, lowercase).
struct FakeRecord: Sendable {
    var id: String
    var zoneID: String
    var zoneName: String
    var type: String
    var name: String
    var content: String
    var ttl: Int
    var proxied: Bool
    var comment: String?
    var createdOn: String
    var modifiedOn: String

    var proxiable: Bool { ["A", "AAAA", "CNAME"].contains(type) }

    var json: [String: Any] {
        [
            "id": id, "zone_id": zoneID, "zone_name": zoneName, "type": type, "name": name, "content": content, "ttl": ttl,
            "proxied": proxied, "proxiable": proxiable, "locked": false, "comment": comment ?? NSNull(), "tags": [String](),
            "created_on": createdOn, "modified_on": modifiedOn, "meta": ["auto_added": false, "source": "primary"], "settings": [String: Any](),
        ]
    }
}

/// Identifiers and timestamps in Cloudflare's shapes.
enum FakeIDs {
    /// 32 lowercase hex digits, like Cloudflare's identifiers.
    static func make() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// Whether text has the shape of an identifier (anything else cannot be routed: 7003).
    static func isWellFormed(_ text: String) -> Bool {
        text.count == 32 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// RFC 3339 with fractional seconds, as Cloudflare writes times.
    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
