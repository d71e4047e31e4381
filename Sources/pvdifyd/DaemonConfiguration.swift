import Foundation
import PvdifyAPI
import PvdifyControllers
import PvdifyDrivers
import PvdifyModel
import PvdifyStore

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
    /// The git transports sources may use (`GIT_ALLOW_PROTOCOL`).
    var gitProtocols: [String]
    var bootstrapToken: String?
    var secretKey: String?
    /// The GitHub integration's webhook secret (`--github-webhook-secret-file`, `PVDIFY_GITHUB_WEBHOOK_SECRET`).
    var githubWebhookSecret: String?
    var connections: ConnectionLimits
    /// Whether the Admin UI is served under `/ui/`.
    var adminUI = true
    /// The GitHub Actions OIDC issuer and the audience its tokens must name (`POST /tokens/github-actions`).
    var githubOIDCIssuer: URL
    var githubOIDCAudience: String
    /// The GitHub App's id (`--github-app-id`); nil: no deployment statuses are posted.
    var githubAppID: Int64? = nil
    /// The App's private key read from `--github-app-key-file` (checked to be an RSA private key);
    /// nil uses the one stored before.
    var githubAppKeyPEM: String? = nil
    /// The GitHub REST API base (`--github-api-url`; a GitHub Enterprise Server's `/api/v3` works).
    var githubAPIURL = URL(string: "https://api.github.com")!
    /// Where people and GitHub reach pvdifyd (`--public-url`), without a trailing slash: the base of
    /// the links pvdify posts, such as a preview deployment's `log_url`. Nil: the listen address.
    var publicURL: String? = nil
    /// What converges apps (`--runtime`), and the cluster when it is Kubernetes.
    var runtime: DaemonRuntime = .podman
    var kubernetes: KubernetesConfig? = nil
    /// The PostgreSQL store (`--database postgres://...`); nil keeps the store in SQLite.
    var postgres: PostgresLocation? = nil

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

    /// `--data-dir`, else `PVDIFY_DATA_DIR`, else the default.
    static func dataDirectory(flag: String?, environment: [String: String]) -> URL {
        if let flag { return URL(fileURLWithPath: flag) }
        if let text = environment["PVDIFY_DATA_DIR"], !text.isEmpty { return URL(fileURLWithPath: text) }
        return defaultDataDirectory(environment: environment)
    }

    static func parseCount(_ text: String, flag: String) throws -> Int {
        guard let count = Int(text), (1...1_000_000).contains(count) else {
            throw Invalid(description: "\(flag) must be a whole number from 1 to 1000000")
        }
        return count
    }

    static func parseTimeout(_ text: String, flag: String) throws -> Duration {
        guard let duration = DurationText(text), duration.milliseconds >= 100 else {
            throw Invalid(description: "\(flag) must be a duration of at least 100ms, like 10s")
        }
        return duration.duration
    }

    /// The webhook secret from `--github-webhook-secret-file` (first line, surrounding blanks
    /// dropped), else `PVDIFY_GITHUB_WEBHOOK_SECRET`; never from the command line itself, where any
    /// user could read it. At least 16 bytes: GitHub's secrets are meant to be long random strings.
    static func githubWebhookSecret(file: String?, environment: [String: String]) throws -> String? {
        var secret: String?
        if let file {
            guard let data = FileManager.default.contents(atPath: file), data.count <= 4096 else {
                throw Invalid(description: "--github-webhook-secret-file must name a readable file of at most 4 KiB")
            }
            secret = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first
                .map { $0.trimmingCharacters(in: .whitespaces) }
        } else if let text = environment["PVDIFY_GITHUB_WEBHOOK_SECRET"], !text.isEmpty {
            secret = text
        } else {
            return nil
        }
        guard let secret, secret.utf8.count >= 16 else {
            throw Invalid(description: "the GitHub webhook secret must be at least 16 characters")
        }
        return secret
    }

    /// `--github-app-id`: GitHub's App ids are positive integers.
    static func githubAppID(_ text: String?) throws -> Int64? {
        guard let text else { return nil }
        guard let id = Int64(text), id > 0 else { throw Invalid(description: "--github-app-id must be a positive whole number") }
        return id
    }

    /// The PEM of `--github-app-key-file`: a readable file of at most 64 KiB holding an RSA
    /// private key (never echoed in an error).
    static func githubAppKey(file: String?) throws -> String? {
        guard let file else { return nil }
        guard let data = FileManager.default.contents(atPath: file), data.count <= 64 << 10 else {
            throw Invalid(description: "--github-app-key-file must name a readable file of at most 64 KiB")
        }
        let pem = String(decoding: data, as: UTF8.self)
        do {
            try GitHubAppKey.check(pem: pem)
        } catch {
            throw Invalid(description: "--github-app-key-file: \(error)")
        }
        return pem
    }

    /// `--github-api-url`: an http(s) URL without query or fragment; paths are appended to it.
    static func githubAPIURL(_ text: String) throws -> URL {
        guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http", url.host != nil, url.query == nil,
              url.fragment == nil
        else { throw Invalid(description: "--github-api-url must be an http(s) URL, like https://api.github.com") }
        return url
    }

    /// `--public-url`: an http(s) URL with a host and no query or fragment; a trailing `/` is dropped.
    /// The PostgreSQL database `--database` (or `PVDIFY_DATABASE_URL`) names; nil for SQLite
    /// (nothing given, or `sqlite`). The URL holds a password: the message names the expected
    /// form, never the value given.
    static func postgresLocation(_ text: String?) throws -> PostgresLocation? {
        guard let text, text != "sqlite" else { return nil }
        do { return try PostgresLocation(url: text) } catch let error as StoreError {
            throw Invalid(description: "--database must be sqlite or postgres://USER:PASSWORD@HOST:PORT/DATABASE: \(error)")
        }
    }

    static func publicURL(_ text: String) throws -> String {
        guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http", url.host != nil, url.query == nil,
              url.fragment == nil, url.user == nil, url.password == nil
        else { throw Invalid(description: "--public-url must be an http(s) URL, like https://pvdify.example.com") }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    static func defaultDataDirectory(environment: [String: String]) -> URL {
        if getuid() == 0 { return URL(fileURLWithPath: "/var/lib/pvdify") }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/state/pvdify")
    }
}
