/// How pvdify's Caddy servers are laid out: ports, TLS mode and the apps' base domain.
public struct RouteSettings: Sendable, Equatable {
    /// `acme`: Caddy's automatic HTTPS, HTTP redirected. `internal`: Caddy's local CA, HTTP served
    /// too. `off`: plain HTTP only.
    public enum TLSMode: String, Sendable, CaseIterable { case acme, `internal`, off }

    public var httpPort: Int
    public var httpsPort: Int
    public var tls: TLSMode
    public var baseDomain: String
    /// The admin address Caddy must keep listening on if pvdify ever loads a config into an empty Caddy.
    public var adminListen: String

    public init(httpPort: Int = 80, httpsPort: Int = 443, tls: TLSMode = .acme, baseDomain: String = "localhost", adminListen: String = "127.0.0.1:2019") {
        self.httpPort = httpPort
        self.httpsPort = httpsPort
        self.tls = tls
        self.baseDomain = baseDomain
        self.adminListen = adminListen
    }

    /// The hostname every app gets: `<app>.<base-domain>`.
    public func appHost(_ app: String) -> String { "\(app).\(baseDomain)" }
}

/// One app as the router sees it: its hostnames and the loopback upstreams of its healthy web instances.
struct AppRoute: Sendable, Equatable {
    var app: String
    var hosts: [String]
    /// `127.0.0.1:<port>` dial addresses; empty means the app answers 503.
    var upstreams: [String]
}
