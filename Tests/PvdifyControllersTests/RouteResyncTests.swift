import Foundation
import Logging
import PvdifyModel
import PvdifyStore
import Synchronization
import Testing
@testable import PvdifyControllers

/// Caddy's admin API in memory: a config whose ETag changes with every write, by pvdify or by hand.
final class MemoryCaddy: CaddyAdmin {
    struct State {
        var config: JSONValue = .null
        var version = 0
        var writes = 0
    }

    let state = Mutex(State())

    var writes: Int { state.withLock { $0.writes } }
    var current: JSONValue { state.withLock { $0.config } }

    func config() async throws -> (config: JSONValue, etag: String) {
        state.withLock { ($0.config, "\"\($0.version)\"") }
    }

    func replace(_ config: JSONValue, etag: String) async throws {
        state.withLock { state in
            state.config = config
            state.version += 1
            state.writes += 1
        }
    }

    func load(_ config: JSONValue) async throws { try await replace(config, etag: "") }

    func localRootCertificate() async throws -> String { "" }

    /// Someone else edits the config: pvdify's HTTP server is gone.
    func removePvdifyServer() {
        state.withLock { state in
            guard case .object(var root) = state.config, case .object(var apps) = root["apps"],
                case .object(var http) = apps["http"], case .object(var servers) = http["servers"]
            else { return }
            servers[CaddyConfigBuilder.httpServer] = nil
            http["servers"] = .object(servers)
            apps["http"] = .object(http)
            root["apps"] = .object(apps)
            state.config = .object(root)
            state.version += 1
        }
    }

    /// The upstreams pvdify's HTTP server sends `app` to.
    func upstreams(of app: String) -> [String]? {
        let routes = current["apps"]?["http"]?["servers"]?[CaddyConfigBuilder.httpServer]?["routes"]?.arrayValue ?? []
        guard let route = routes.first(where: { $0["@id"] == .string("pvdify-http-app-\(app)") }) else { return nil }
        let dials = route["handle"]?.arrayValue?.first?["upstreams"]?.arrayValue ?? []
        return dials.compactMap { $0["dial"]?.stringValue }
    }
}

/// A route resync with nothing changed skips rebuilding Caddy's config, yet still heals a config
/// changed by hand and follows new upstreams.
@Suite struct RouteResyncTests {
    @Test func aSteadyPassSkipsTheRebuildButDriftAndNewUpstreamsAreApplied() async throws {
        try await withStore { store in
            let caddy = MemoryCaddy()
            let routes = RouteReconciler(store: store, caddy: caddy, settings: RouteSettings(tls: .off), logger: Logger(label: "test"))
            _ = try await store.createApp(name: "web", environment: .production)
            try await store.updateStatus("web") { $0.upstreams = ["127.0.0.1:10001"] }

            // Converge: the first pass writes Caddy and the status, the second finds both done.
            _ = try await routes.reconcile(RouteReconciler.key)
            _ = try await routes.reconcile(RouteReconciler.key)
            #expect(caddy.upstreams(of: "web") == ["127.0.0.1:10001"])
            #expect(routes.converged.withLock { $0 } != nil)

            // Steady: no Caddy write, no status write.
            let writes = caddy.writes, statusWrites = store.statusWriteCount
            _ = try await routes.reconcile(RouteReconciler.key)
            #expect(caddy.writes == writes)
            #expect(store.statusWriteCount == statusWrites)

            // Changed by hand: the next pass notices and restores pvdify's server.
            caddy.removePvdifyServer()
            #expect(caddy.upstreams(of: "web") == nil)
            _ = try await routes.reconcile(RouteReconciler.key)
            #expect(caddy.upstreams(of: "web") == ["127.0.0.1:10001"])
            #expect(caddy.writes == writes + 1)

            // A new upstream in the store is routed at the next pass.
            _ = try await routes.reconcile(RouteReconciler.key)
            try await store.updateStatus("web") { $0.upstreams = ["127.0.0.1:10002"] }
            _ = try await routes.reconcile(RouteReconciler.key)
            #expect(caddy.upstreams(of: "web") == ["127.0.0.1:10002"])
            #expect(try await store.app("web").status?.routedUpstreams == ["127.0.0.1:10002"])
        }
    }

    @Test func theRevisionMovesOnlyWhenSomethingIsAnnounced() async throws {
        try await withStore { store in
            let before = store.changes.revision
            _ = try await store.createApp(name: "web", environment: .production)
            #expect(store.changes.revision > before)
            try await store.updateStatus("web") { $0.upstreams = ["127.0.0.1:10001"] }
            let routed = store.changes.revision
            // The same status again: nothing written, nothing announced.
            try await store.updateStatus("web") { $0.upstreams = ["127.0.0.1:10001"] }
            #expect(store.changes.revision == routed)
            try await store.updateStatus("web") { $0.upstreams = ["127.0.0.1:10002"] }
            #expect(store.changes.revision > routed)
        }
    }
}
