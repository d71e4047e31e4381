/// A failed Cloudflare call: the HTTP status (0 when no answer came) and Cloudflare's errors.
public struct CloudflareError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status; 0 when the API could not be reached or did not answer in time.
    public let status: Int
    /// Cloudflare's `errors` (or one describing a failure without an envelope).
    public let errors: [CloudflareMessage]
    /// `GET /zones`: the call that failed (never the token).
    public let call: String
    /// How many times the call was sent.
    public let attempts: Int
    /// How long Cloudflare asked to wait (`Retry-After` of a 429), if it did.
    public let retryAfter: Duration?

    /// Makes an error value.
    public init(status: Int, errors: [CloudflareMessage], call: String, attempts: Int = 1, retryAfter: Duration? = nil) {
        self.status = status
        self.errors = errors
        self.call = call
        self.attempts = attempts
        self.retryAfter = retryAfter
    }

    /// Every code in the errors and their chains.
    public var codes: [Int] { errors.flatMap(\.allCodes) }

    /// The token is missing, malformed, unknown, expired or lacks permission.
    public var isAuthentication: Bool {
        status == 401 || status == 403 || !Set(codes).isDisjoint(with: Self.authenticationCodes)
    }

    /// The zone or record does not exist (81044), or its identifier routes nowhere (7003).
    public var isNotFound: Bool { status == 404 || codes.contains(81044) || codes.contains(7003) }

    /// A record of that name and type (81057) or a clashing A/AAAA/CNAME record (81053..81056) exists.
    public var isDuplicate: Bool { !Set(codes).isDisjoint(with: [81053, 81054, 81055, 81056, 81057, 81058]) }

    /// Past the rate limit (HTTP 429).
    public var isRateLimited: Bool { status == 429 }

    /// Cloudflare could not be reached, or failed on its side.
    public var isUnavailable: Bool { status == 0 || status >= 500 }

    /// Codes Cloudflare answers for token problems: 1000/1001 invalid or missing token, 6003/6111 malformed
    /// headers, 9106/9109 missing or invalid credentials, 10000/10001 authentication error.
    static let authenticationCodes: Set<Int> = [1000, 1001, 6003, 6100, 6101, 6102, 6103, 6111, 9106, 9109, 10000, 10001]

    /// What Cloudflare said, without the call: `Authentication error (10000)`.
    public var summary: String {
        if errors.isEmpty { return status == 0 ? "no answer" : "HTTP \(status)" }
        return errors.map(\.description).joined(separator: "; ")
    }

    /// `Cloudflare GET /zones: HTTP 403: Authentication error (10000)`, with the attempts when retried.
    public var description: String {
        let answer = status == 0 ? "" : "HTTP \(status): "
        let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
        return "Cloudflare \(call): \(answer)\(summary)\(tries)"
    }
}
