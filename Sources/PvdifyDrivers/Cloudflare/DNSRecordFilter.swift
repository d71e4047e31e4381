/// The list filters of `GET /zones/{id}/dns_records` that pvdify uses; all given ones must match.
public struct DNSRecordFilter: Sendable, Equatable {
    /// Exact record name (fully qualified).
    public var name: String?
    /// Record type.
    public var type: String?
    /// Comment prefix (`comment.startswith`; Cloudflare compares comments case-insensitively).
    public var commentPrefix: String?

    /// Makes a filter; nil fields do not filter.
    public init(name: String? = nil, type: String? = nil, commentPrefix: String? = nil) {
        self.name = name
        self.type = type
        self.commentPrefix = commentPrefix
    }

    /// The query parameters, in a fixed order.
    public var query: [CloudflareRequest.Query] {
        var query: [CloudflareRequest.Query] = []
        if let name { query.append(.init("name", name)) }
        if let type { query.append(.init("type", type)) }
        if let commentPrefix { query.append(.init("comment.startswith", commentPrefix)) }
        return query
    }
}
