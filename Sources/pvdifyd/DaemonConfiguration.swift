import Foundation
import PvdifyControllers
import PvdifyModel

/// pvdifyd's settings after flags, environment variables and defaults are combined (flag first).
struct DaemonConfiguration: Sendable {
    var listenHost: String
    var listenPort: Int
    var dataDirectory: URL
    var podmanSocket: String?
    /// nil when routing is disabled (`off`).
    var caddyAdmin: URL?
    var proxyHTTPPort: Int
    var proxyHTTPSPort: Int
    var tls: RouteSettings.TLSMode
    var baseDomain: String
    var cloudflareAPIURL: URL
    var cloudflareToken: String?
    var dnsTarget: String?
    var insecureRegistries: [String]
    var resyncInterval: DurationText
    var requestsPerMinute: Int
    /// Log bytes kept per app (`--log-max-bytes`).
    var logMaxBytes: Int
    var bootstrapToken: String?
    var secretKey: String?

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses `host:port` (`[::1]:9443` for IPv6).
    static func parseListen(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw Invalid(description: "--listen must be host:port, like 127.0.0.1:9443")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw Invalid(description: "--listen needs a host, like 127.0.0.1:9443") }
        return (host, port)
    }

    static func parsePort(_ text: String, flag: String) throws -> Int {
        guard let port = Int(text), (1...65535).contains(port) else { throw Invalid(description: "\(flag) must be a port number") }
        return port
    }

    static func defaultDataDirectory(environment: [String: String]) -> URL {
        if getuid() == 0 { return URL(fileURLWithPath: "/var/lib/pvdify") }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/state/pvdify")
    }
}
