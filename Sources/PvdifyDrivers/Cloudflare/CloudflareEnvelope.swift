/// Cloudflare API v4's answer envelope: `{success, errors, messages, result, result_info}`.
public struct CloudflareEnvelope<Result: Decodable & Sendable>: Sendable, Decodable {
    /// Whether the call succeeded (`result` is null when it did not).
    public var success: Bool
    /// Why it failed.
    public var errors: [CloudflareMessage]
    /// Informational notes.
    public var messages: [CloudflareMessage]
    /// The answer proper.
    public var result: Result?
    /// Paging facts of a list.
    public var resultInfo: CloudflareResultInfo?

    enum CodingKeys: String, CodingKey {
        case success, errors, messages, result
        case resultInfo = "result_info"
    }

    /// Decodes the envelope; absent lists are empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        success = try c.decodeIfPresent(Bool.self, forKey: .success) ?? false
        errors = try c.decodeIfPresent([CloudflareMessage].self, forKey: .errors) ?? []
        messages = try c.decodeIfPresent([CloudflareMessage].self, forKey: .messages) ?? []
        result = try c.decodeIfPresent(Result.self, forKey: .result)
        resultInfo = try c.decodeIfPresent(CloudflareResultInfo.self, forKey: .resultInfo)
    }
}

/// One entry of `errors` or `messages`: a numeric code, a text, and sometimes the codes behind it.
public struct CloudflareMessage: Sendable, Equatable, Decodable, CustomStringConvertible {
    /// Cloudflare's code (81057 record exists, 10000 authentication error, ...).
    public var code: Int
    /// The human text.
    public var message: String
    /// Deeper causes (6003 "Invalid request headers" carries 6111 "Invalid format for Authorization header").
    public var errorChain: [CloudflareMessage]

    /// Makes a message value.
    public init(code: Int, message: String, errorChain: [CloudflareMessage] = []) {
        self.code = code
        self.message = message
        self.errorChain = errorChain
    }

    enum CodingKeys: String, CodingKey {
        case code, message
        case errorChain = "error_chain"
    }

    /// Decodes a message; a missing code is 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decodeIfPresent(Int.self, forKey: .code) ?? 0
        message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
        errorChain = try c.decodeIfPresent([CloudflareMessage].self, forKey: .errorChain) ?? []
    }

    /// `Record already exists. (81057)`, with the chain after a colon (no code when there is none).
    public var description: String {
        let chain = errorChain.isEmpty ? "" : ": " + errorChain.map(\.description).joined(separator: "; ")
        return code == 0 ? message + chain : "\(message) (\(code))\(chain)"
    }

    /// This code and every code of its chain.
    public var allCodes: [Int] { [code] + errorChain.flatMap(\.allCodes) }
}

/// Paging facts of a list answer.
public struct CloudflareResultInfo: Sendable, Equatable, Decodable {
    /// The page answered (from 1).
    public var page: Int
    /// Items per page.
    public var perPage: Int
    /// Items on this page.
    public var count: Int
    /// Items on every page together.
    public var totalCount: Int?
    /// How many pages there are.
    public var totalPages: Int?

    /// Makes a paging value.
    public init(page: Int, perPage: Int, count: Int, totalCount: Int?, totalPages: Int?) {
        self.page = page
        self.perPage = perPage
        self.count = count
        self.totalCount = totalCount
        self.totalPages = totalPages
    }

    enum CodingKeys: String, CodingKey {
        case page, count
        case perPage = "per_page"
        case totalCount = "total_count"
        case totalPages = "total_pages"
    }

    /// Decodes the paging facts; missing numbers are taken from what is known.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        page = try c.decodeIfPresent(Int.self, forKey: .page) ?? 1
        perPage = try c.decodeIfPresent(Int.self, forKey: .perPage) ?? 0
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 0
        totalCount = try c.decodeIfPresent(Int.self, forKey: .totalCount)
        totalPages = try c.decodeIfPresent(Int.self, forKey: .totalPages)
    }

    /// Whether a page follows this one.
    public var hasMore: Bool {
        if let totalPages { return page < totalPages }
        if let totalCount { return page * max(perPage, 1) < totalCount }
        // Without totals, a full page may have a successor.
        return count > 0 && count >= perPage
    }
}
