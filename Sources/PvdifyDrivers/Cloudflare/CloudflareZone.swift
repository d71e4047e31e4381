/// A zone the token can see: the domain pvdify may create records in.
public struct CloudflareZone: Sendable, Equatable, Decodable {
    /// Cloudflare's identifier of the zone.
    public var id: String
    /// The zone's domain name, lowercase (`example.com`).
    public var name: String
    /// `active`, `pending`, ... (records can be written in any of them).
    public var status: String?

    /// Makes a zone value.
    public init(id: String, name: String, status: String? = nil) {
        self.id = id
        self.name = name.lowercased()
        self.status = status
    }

    enum CodingKeys: String, CodingKey { case id, name, status }

    /// Decodes Cloudflare's zone object.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), name: try c.decode(String.self, forKey: .name),
            status: try c.decodeIfPresent(String.self, forKey: .status))
    }
}

/// What `GET /user/tokens/verify` says about the token.
public struct CloudflareTokenStatus: Sendable, Equatable, Decodable {
    /// The token's identifier.
    public var id: String?
    /// `active`, `disabled` or `expired`.
    public var status: String

    /// Makes a token status value.
    public init(id: String?, status: String) {
        self.id = id
        self.status = status
    }

    /// Whether the token can be used.
    public var isActive: Bool { status == "active" }
}
