import Foundation
import PvdifyControllers
import PvdifyModel
import Synchronization

/// Caddy's admin API in memory: one config, an ETag, and a count of writes.
final class BenchCaddy: CaddyAdmin {
    struct State {
        var config: JSONValue = .null
        var version = 0
        var writes = 0
        var reads = 0
    }

    let state = Mutex(State())

    var writes: Int { state.withLock { $0.writes } }

    func config() async throws -> (config: JSONValue, etag: String) {
        state.withLock { state in
            state.reads += 1
            return (state.config, "\"\(state.version)\"")
        }
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
}
