import Foundation
import PvdifyModel

/// Where custom domains point (`--dns-target`): an IPv4 address makes `A` records, an IPv6 address
/// `AAAA` records, a hostname `CNAME` records.
public struct DNSTarget: Sendable, Equatable, CustomStringConvertible {
    /// `A`, `AAAA` or `CNAME`.
    public let type: String
    /// The address or hostname (lowercase, without a trailing dot).
    public let content: String

    /// Parses `--dns-target`; nil when it is neither an IP address nor a hostname.
    public init?(_ text: String) {
        var value = text.trimmingCharacters(in: .whitespaces).lowercased()
        if value.hasSuffix(".") { value.removeLast() }
        if Self.isIPv4(value) {
            type = "A"
        } else if value.contains(":"), Self.isIPv6(value) {
            type = "AAAA"
        } else if Rules.hostname(value) == nil {
            type = "CNAME"
        } else {
            return nil
        }
        content = value
    }

    /// `CNAME lb.example.net`.
    public var description: String { "\(type) \(content)" }

    static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }
}
