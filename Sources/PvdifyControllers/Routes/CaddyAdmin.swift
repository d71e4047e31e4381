import PvdifyDrivers
import PvdifyModel

/// What the route reconciler needs of Caddy's admin API; `CaddyClient` in production, a fake in
/// tests and benchmarks.
public protocol CaddyAdmin: Sendable {
    /// The whole config and its ETag.
    func config() async throws -> (config: JSONValue, etag: String)
    /// The whole config's ETag (tells whether the config changed, without parsing it).
    func configETag() async throws -> String
    /// Replaces the config if it still has `etag` (412 otherwise).
    func replace(_ config: JSONValue, etag: String) async throws
    /// Loads a config into an empty Caddy.
    func load(_ config: JSONValue) async throws
    /// The PEM of Caddy's local root certificate (TLS `internal`).
    func localRootCertificate() async throws -> String
}

extension CaddyAdmin {
    /// The ETag of a full read, for fakes that have nothing cheaper.
    public func configETag() async throws -> String { try await config().etag }
}

extension CaddyClient: CaddyAdmin {}
