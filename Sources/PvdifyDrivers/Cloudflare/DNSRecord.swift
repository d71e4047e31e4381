import Foundation

/// The fields of a DNS record that pvdify writes: the body of a create (`POST`) or an overwrite (`PUT`).
public struct DNSRecordFields: Sendable, Equatable, Codable {
    /// `A`, `AAAA`, `CNAME`, `TXT`, ...
    public var type: String
    /// The fully qualified name, lowercase.
    public var name: String
    /// An address, a hostname, or TXT text.
    public var content: String
    /// Seconds; 1 means automatic (the only value Cloudflare allows on proxied records).
    public var ttl: Int
    /// Whether traffic goes through Cloudflare's proxy (only for `A`, `AAAA` and `CNAME`).
    public var proxied: Bool
    /// A free-text note; pvdify keeps its ownership marker here.
    public var comment: String?

    /// Makes the fields of a record.
    public init(type: String, name: String, content: String, ttl: Int = 1, proxied: Bool = false, comment: String? = nil) {
        self.type = type
        self.name = name
        self.content = content
        self.ttl = ttl
        self.proxied = proxied
        self.comment = comment
    }

    /// The JSON body Cloudflare expects; `comment` is always sent so that an overwrite clears a stale one.
    public func jsonBody() -> Data {
        var object: [String: Any] = ["type": type, "name": name, "content": content, "ttl": ttl, "comment": comment ?? NSNull()]
        // Cloudflare refuses `proxied` on types it cannot proxy, even as false.
        if DNSRecordFields.proxiableTypes.contains(type) { object["proxied"] = proxied }
        // Sorted keys keep the bytes stable for tests; these values always serialize.
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    /// The record types Cloudflare can proxy.
    public static let proxiableTypes: Set<String> = ["A", "AAAA", "CNAME"]
}

/// A DNS record as Cloudflare reports it.
public struct DNSRecord: Sendable, Equatable, Decodable {
    /// Cloudflare's identifier of the record.
    public var id: String
    /// The zone it belongs to, when the answer says so.
    public var zoneID: String?
    /// What the record says.
    public var fields: DNSRecordFields

    /// Makes a record value (tests, the reconciler's bookkeeping).
    public init(id: String, zoneID: String? = nil, fields: DNSRecordFields) {
        self.id = id
        self.zoneID = zoneID
        self.fields = fields
    }

    /// The record's type.
    public var type: String { fields.type }
    /// The record's fully qualified name, lowercase.
    public var name: String { fields.name }
    /// The record's content.
    public var content: String { fields.content }
    /// The record's comment, if any.
    public var comment: String? { fields.comment }

    enum CodingKeys: String, CodingKey {
        case id, type, name, content, ttl, proxied, comment
        case zoneID = "zone_id"
    }

    /// Decodes Cloudflare's record object; missing optional fields take Cloudflare's defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        zoneID = try c.decodeIfPresent(String.self, forKey: .zoneID)
        fields = DNSRecordFields(
            type: try c.decode(String.self, forKey: .type),
            name: try c.decode(String.self, forKey: .name).lowercased(),
            content: try c.decodeIfPresent(String.self, forKey: .content) ?? "",
            ttl: try c.decodeIfPresent(Int.self, forKey: .ttl) ?? 1,
            proxied: try c.decodeIfPresent(Bool.self, forKey: .proxied) ?? false,
            comment: try c.decodeIfPresent(String.self, forKey: .comment))
    }
}
