import Foundation
import Hummingbird
import Logging
import PvdifyAPI
import PvdifyModel
import PvdifyStore
import ServiceLifecycle

/// The composition root: opens the store, makes sure an admin token exists, and runs the API
/// (and, as they arrive, the reconcilers) until SIGTERM or SIGINT.
struct Daemon {
    let configuration: DaemonConfiguration
    let logger: Logger

    func run() async throws {
        let secrets = try SecretBox.load(dataDirectory: configuration.dataDirectory, environmentKey: configuration.secretKey)
        let store = try Store(dataDirectory: configuration.dataDirectory, secrets: secrets)
        try await bootstrapAdminToken(store)
        let logs = AppLogs()
        let settings = APISettings(
            baseDomain: configuration.baseDomain,
            appURLScheme: configuration.tls == .off ? "http" : "https",
            requestsPerMinute: configuration.requestsPerMinute)
        let api = PvdifyAPIServer.buildApplication(
            store: store, logs: logs, settings: settings, host: configuration.listenHost, port: configuration.listenPort,
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: api), .init(service: LogStreamCloser(logs: logs))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info("pvdifyd starting", metadata: [
            "listen": "\(configuration.listenHost):\(configuration.listenPort)",
            "data_dir": "\(configuration.dataDirectory.path)",
            "base_domain": "\(configuration.baseDomain)",
            "tls": "\(configuration.tls.rawValue)",
        ])
        try await group.run()
        try store.close()
        logger.info("pvdifyd stopped")
    }

    /// `PVDIFY_BOOTSTRAP_TOKEN` is made sure of at every start; otherwise the first start makes an
    /// admin token, writes it to `<data-dir>/admin-token` (0600) and prints it this once.
    func bootstrapAdminToken(_ store: Store) async throws {
        if let secret = configuration.bootstrapToken {
            if try await store.ensureToken(name: "admin", scopes: [.admin], secret: secret) {
                logger.info("bootstrap admin token registered from PVDIFY_BOOTSTRAP_TOKEN")
            }
            return
        }
        guard try await store.tokens().isEmpty else { return }
        let (_, secret) = try await store.createToken(name: "admin", scopes: [.admin], apps: nil)
        let file = configuration.dataDirectory.appendingPathComponent("admin-token")
        try PrivateFile.write(secret + "\n", to: file)
        let notice = "pvdifyd: created the admin token (shown once; also in \(file.path)):\n\(secret)\n"
        FileHandle.standardOutput.write(Data(notice.utf8))
    }
}

/// Ends open log streams when shutdown begins, so the HTTP server can finish its requests.
struct LogStreamCloser: Service {
    let logs: AppLogs

    func run() async throws {
        try? await gracefulShutdown()
        logs.finishAll()
    }
}
