import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PvdifyAPI
import PvdifyControllers
import PvdifyModel
import PvdifyStore
import ServiceLifecycle

/// `pvdifyd [serve]`: the daemon. Every flag also reads its environment variable; flags win.
struct PvdifydCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: REST API, desired-state store and reconcilers (the default command).",
        discussion: "Each flag also reads the environment variable named in its help; the flag wins.")

    @Option(help: "Address of the REST API (PVDIFY_LISTEN). Default 127.0.0.1:9443.") var listen: String?
    @Option(help: "State directory (PVDIFY_DATA_DIR). Default /var/lib/pvdify as root, else ~/.local/state/pvdify.")
    var dataDir: String?
    @Option(help: "Where the store is: sqlite (in the state directory) or postgres://USER:PASSWORD@HOST:PORT/DATABASE (PVDIFY_DATABASE_URL). Default sqlite.")
    var database: String?
    @Option(help: "Podman's API socket, or 'off' (PVDIFY_PODMAN_SOCKET). Default: the system socket, else pvdifyd starts its own.")
    var podmanSocket: String?
    @Option(help: "Caddy admin API URL, or 'off' (PVDIFY_CADDY_ADMIN). Default http://127.0.0.1:2019.") var caddyAdmin: String?
    @Option(help: "Caddy's HTTP port (PVDIFY_PROXY_HTTP_PORT). Default 80.") var proxyHttpPort: String?
    @Option(help: "Caddy's HTTPS port (PVDIFY_PROXY_HTTPS_PORT). Default 443.") var proxyHttpsPort: String?
    @Option(help: "TLS mode: acme, internal or off (PVDIFY_TLS). Default acme.") var tls: String?
    @Option(help: "Apps are served at APP.<base-domain> (PVDIFY_BASE_DOMAIN). Default localhost.") var baseDomain: String?
    @Option(help: "Cloudflare API base URL (PVDIFY_CLOUDFLARE_API_URL).") var cloudflareApiUrl: String?
    @Option(help: "CNAME target or IPv4 address custom domains point at (PVDIFY_DNS_TARGET).") var dnsTarget: String?
    @Option(help: "Registry reached without TLS verification; repeatable (PVDIFY_INSECURE_REGISTRIES, comma list).")
    var insecureRegistry: [String] = []
    @Option(help: "How often reconcilers resync everything (PVDIFY_RESYNC_INTERVAL). Default 30s.") var resyncInterval: String?
    @Option(help: "API requests per minute per token (PVDIFY_RATE_LIMIT). Default 100.") var rateLimit: String?
    @Option(help: "Open API connections in all (PVDIFY_MAX_CONNECTIONS). Default 2048.") var maxConnections: String?
    @Option(help: "Open API connections per client address (PVDIFY_MAX_CONNECTIONS_PER_CLIENT). Default 128.")
    var maxConnectionsPerClient: String?
    @Option(help: "Time to send a request's head, from its first byte (PVDIFY_HEADER_TIMEOUT). Default 10s.")
    var headerTimeout: String?
    @Option(help: "Longest pause inside a request body (PVDIFY_BODY_TIMEOUT). Default 30s.") var bodyTimeout: String?
    @Option(help: "Time an idle keep-alive connection stays open (PVDIFY_IDLE_TIMEOUT). Default 60s.") var idleTimeout: String?
    @Option(help: "Log bytes kept per app, on disk and in memory, like 8M (PVDIFY_LOG_MAX_BYTES). Default 8M.") var logMaxBytes: String?
    @Option(help: "Git transports sources may use, a comma list of file, http, https, ssh (PVDIFY_GIT_PROTOCOLS). Default all four.")
    var gitProtocols: String?
    @Option(help: "Serve the Admin UI under /ui/ on the API listener: on or off (PVDIFY_UI). Default on.") var ui: String?
    @Option(help: "File holding the GitHub webhook secret (else PVDIFY_GITHUB_WEBHOOK_SECRET). Unset: GitHub webhooks are refused.")
    var githubWebhookSecretFile: String?
    @Option(help: "Issuer of the GitHub Actions OIDC tokens exchanged for deploy tokens (PVDIFY_GITHUB_OIDC_ISSUER). Default https://token.actions.githubusercontent.com.")
    var githubOidcIssuer: String?
    @Option(help: "Audience those tokens must name (PVDIFY_GITHUB_OIDC_AUDIENCE). Default pvdify.") var githubOidcAudience: String?
    @Option(help: "The GitHub App's id, to post deployment statuses of previews (PVDIFY_GITHUB_APP_ID).") var githubAppId: String?
    @Option(help: "The GitHub App's private key, a PEM file; stored encrypted, so later starts may leave it out (PVDIFY_GITHUB_APP_KEY_FILE).")
    var githubAppKeyFile: String?
    @Option(help: "GitHub's REST API base, or a GitHub Enterprise Server's https://HOST/api/v3 (PVDIFY_GITHUB_API_URL). Default https://api.github.com.")
    var githubApiUrl: String?
    @Option(help: "The https URL people and GitHub reach pvdifyd at through a proxy, like https://pvdify.example.com (PVDIFY_PUBLIC_URL); the base of the links pvdify posts. Default: the listen address.")
    var publicUrl: String?
    @Option(help: "What runs apps: podman or kubernetes (PVDIFY_RUNTIME). Default podman.") var runtime: String?
    @Option(help: "With --runtime kubernetes: the kubeconfig whose current context is used (KUBECONFIG). Default: the pod's service account.")
    var kubeconfig: String?
    @Option(help: "With --runtime kubernetes: the namespace apps go into (PVDIFY_KUBERNETES_NAMESPACE). Default: the context's, else default.")
    var kubernetesNamespace: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: DaemonConfiguration
        do {
            configuration = try resolve(environment: environment)
        } catch let error as DaemonConfiguration.Invalid {
            throw ValidationError(error.description)
        }
        LoggingSystem.bootstrap { label in LogfmtHandler(label: label) }
        var logger = Logger(label: "pvdifyd")
        logger.logLevel = environment["PVDIFY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        try await Daemon(configuration: configuration, logger: logger).run()
    }

    func resolve(environment: [String: String]) throws -> DaemonConfiguration {
        func value(_ flag: String?, _ variable: String) -> String? {
            if let flag { return flag }
            if let text = environment[variable], !text.isEmpty { return text }
            return nil
        }
        let (host, port) = try DaemonConfiguration.parseListen(value(listen, "PVDIFY_LISTEN") ?? "127.0.0.1:9443")
        let caddyText = value(caddyAdmin, "PVDIFY_CADDY_ADMIN") ?? "http://127.0.0.1:2019"
        var caddyURL: URL? = nil
        if caddyText != "off" {
            guard let url = URL(string: caddyText), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw DaemonConfiguration.Invalid(description: "--caddy-admin must be an http URL or 'off'")
            }
            caddyURL = url
        }
        let tlsText = value(tls, "PVDIFY_TLS") ?? "acme"
        guard let tlsMode = RouteSettings.TLSMode(rawValue: tlsText) else {
            throw DaemonConfiguration.Invalid(description: "--tls must be acme, internal or off")
        }
        let base = (value(baseDomain, "PVDIFY_BASE_DOMAIN") ?? "localhost").lowercased()
        guard base == "localhost" || Rules.hostname(base) == nil else {
            throw DaemonConfiguration.Invalid(description: "--base-domain must be a hostname")
        }
        let cloudflareText = value(cloudflareApiUrl, "PVDIFY_CLOUDFLARE_API_URL") ?? "https://api.cloudflare.com/client/v4"
        guard let cloudflareURL = URL(string: cloudflareText), cloudflareURL.scheme?.hasPrefix("http") == true else {
            throw DaemonConfiguration.Invalid(description: "--cloudflare-api-url must be an http(s) URL")
        }
        let resyncText = value(resyncInterval, "PVDIFY_RESYNC_INTERVAL") ?? "30s"
        guard let resync = DurationText(resyncText), resync.milliseconds >= 1000 else {
            throw DaemonConfiguration.Invalid(description: "--resync-interval must be a duration of at least 1s, like 30s")
        }
        let rateText = value(rateLimit, "PVDIFY_RATE_LIMIT") ?? "100"
        guard let rate = Int(rateText), rate > 0 else {
            throw DaemonConfiguration.Invalid(description: "--rate-limit must be a positive number of requests per minute")
        }
        let protocols = (value(gitProtocols, "PVDIFY_GIT_PROTOCOLS") ?? "file,http,https,ssh")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !protocols.isEmpty, protocols.allSatisfy(["file", "http", "https", "ssh"].contains) else {
            throw DaemonConfiguration.Invalid(description: "--git-protocols must be a comma list of file, http, https and ssh")
        }
        let logBytesText = value(logMaxBytes, "PVDIFY_LOG_MAX_BYTES") ?? "8M"
        guard let logBytes = MemorySize(logBytesText), (64 << 10...1 << 30).contains(logBytes.bytes) else {
            throw DaemonConfiguration.Invalid(description: "--log-max-bytes must be a size between 64K and 1G, like 8M")
        }
        let uiText = value(ui, "PVDIFY_UI") ?? "on"
        guard uiText == "on" || uiText == "off" else { throw DaemonConfiguration.Invalid(description: "--ui must be on or off") }
        var registries = insecureRegistry
        if registries.isEmpty, let list = environment["PVDIFY_INSECURE_REGISTRIES"] {
            registries = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let connections = ConnectionLimits(
            maxConnections: try DaemonConfiguration.parseCount(
                value(maxConnections, "PVDIFY_MAX_CONNECTIONS") ?? "2048", flag: "--max-connections"),
            maxConnectionsPerClient: try DaemonConfiguration.parseCount(
                value(maxConnectionsPerClient, "PVDIFY_MAX_CONNECTIONS_PER_CLIENT") ?? "128", flag: "--max-connections-per-client"),
            headerTimeout: try DaemonConfiguration.parseTimeout(value(headerTimeout, "PVDIFY_HEADER_TIMEOUT") ?? "10s", flag: "--header-timeout"),
            bodyTimeout: try DaemonConfiguration.parseTimeout(value(bodyTimeout, "PVDIFY_BODY_TIMEOUT") ?? "30s", flag: "--body-timeout"),
            idleTimeout: try DaemonConfiguration.parseTimeout(value(idleTimeout, "PVDIFY_IDLE_TIMEOUT") ?? "60s", flag: "--idle-timeout"))
        let issuerText = value(githubOidcIssuer, "PVDIFY_GITHUB_OIDC_ISSUER") ?? "https://token.actions.githubusercontent.com"
        guard let issuer = URL(string: issuerText), issuer.scheme == "https" || issuer.scheme == "http", issuer.host != nil,
              issuer.query == nil, issuer.fragment == nil
        else { throw DaemonConfiguration.Invalid(description: "--github-oidc-issuer must be an http(s) URL") }
        let audience = value(githubOidcAudience, "PVDIFY_GITHUB_OIDC_AUDIENCE") ?? "pvdify"
        guard (1...255).contains(audience.utf8.count), audience.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
            throw DaemonConfiguration.Invalid(description: "--github-oidc-audience must be 1 to 255 printable characters without spaces")
        }
        let githubAppID = try DaemonConfiguration.githubAppID(value(githubAppId, "PVDIFY_GITHUB_APP_ID"))
        let githubAppKey = try DaemonConfiguration.githubAppKey(file: value(githubAppKeyFile, "PVDIFY_GITHUB_APP_KEY_FILE"))
        let githubAPI = try DaemonConfiguration.githubAPIURL(value(githubApiUrl, "PVDIFY_GITHUB_API_URL") ?? "https://api.github.com")
        let publicURL = try value(publicUrl, "PVDIFY_PUBLIC_URL").map(DaemonConfiguration.publicURL)
        let (runtimeKind, kubernetes) = try DaemonConfiguration.runtime(
            value(runtime, "PVDIFY_RUNTIME"), kubeconfig: kubeconfig,
            namespace: value(kubernetesNamespace, "PVDIFY_KUBERNETES_NAMESPACE"), environment: environment)
        let postgres = try DaemonConfiguration.postgresLocation(value(database, "PVDIFY_DATABASE_URL"))
        var configuration = DaemonConfiguration(
            listenHost: host,
            listenPort: port,
            dataDirectory: DaemonConfiguration.dataDirectory(flag: dataDir, environment: environment),
            podmanSocket: value(podmanSocket, "PVDIFY_PODMAN_SOCKET"),
            caddyAdmin: caddyURL,
            proxyHTTPPort: try DaemonConfiguration.parsePort(value(proxyHttpPort, "PVDIFY_PROXY_HTTP_PORT") ?? "80", flag: "--proxy-http-port"),
            proxyHTTPSPort: try DaemonConfiguration.parsePort(value(proxyHttpsPort, "PVDIFY_PROXY_HTTPS_PORT") ?? "443", flag: "--proxy-https-port"),
            tls: tlsMode,
            baseDomain: base,
            cloudflareAPIURL: cloudflareURL,
            cloudflareToken: environment["CLOUDFLARE_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            dnsTarget: value(dnsTarget, "PVDIFY_DNS_TARGET"),
            insecureRegistries: registries,
            resyncInterval: resync,
            requestsPerMinute: rate,
            logMaxBytes: Int(logBytes.bytes),
            gitProtocols: protocols,
            bootstrapToken: environment["PVDIFY_BOOTSTRAP_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            secretKey: environment["PVDIFY_SECRET_KEY"].flatMap { $0.isEmpty ? nil : $0 },
            githubWebhookSecret: try DaemonConfiguration.githubWebhookSecret(file: githubWebhookSecretFile, environment: environment),
            connections: connections,
            adminUI: uiText == "on",
            githubOIDCIssuer: issuer,
            githubOIDCAudience: audience,
            githubAppID: githubAppID,
            githubAppKeyPEM: githubAppKey,
            githubAPIURL: githubAPI,
            publicURL: publicURL,
            postgres: postgres
        )
        configuration.runtime = runtimeKind
        configuration.kubernetes = kubernetes
        return configuration
    }
}
