import Foundation

/// One call to Caddy's admin API, as a plain value: built by `CaddyRequests`, sent by `CaddyClient`.
public struct CaddyRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    public var headers: [String: String]
    public var body: Data?

    public init(method: String, path: String, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// Builds the admin API requests pvdify uses. Pure functions.
public enum CaddyRequests {
    /// The whole running config (`null` when Caddy runs without one).
    public static func getConfig() -> CaddyRequest { CaddyRequest(method: "GET", path: "/config/") }

    /// Replaces the whole config atomically if it is still the one whose ETag is `etag` (else 412).
    public static func replaceConfig(_ body: Data, etag: String) -> CaddyRequest {
        CaddyRequest(
            method: "PATCH", path: "/config/", headers: ["Content-Type": "application/json", "If-Match": etag], body: body)
    }

    /// Loads a whole config when none runs (PATCH needs something to replace).
    public static func load(_ body: Data) -> CaddyRequest {
        CaddyRequest(method: "POST", path: "/load", headers: ["Content-Type": "application/json"], body: body)
    }

    /// Caddy's local CA (its root certificate, PEM), for checking `internal` TLS handshakes.
    public static func localCA() -> CaddyRequest { CaddyRequest(method: "GET", path: "/pki/ca/local") }
}

/// Caddy 2.6 sends a config's ETag only as an HTTP trailer; it is `"<path> <FNV-1a 32 of the body, 8 hex digits>"`,
/// so it is computed here from the exact bytes read.
public enum CaddyETag {
    public static func etag(path: String, body: Data) -> String {
        let hex = String(fnv1a32(body), radix: 16)
        return "\"\(path) \(String(repeating: "0", count: 8 - hex.count))\(hex)\""
    }

    public static func fnv1a32(_ bytes: Data) -> UInt32 {
        var hash: UInt32 = 0x811c_9dc5
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }
}
