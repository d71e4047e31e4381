import Synchronization

/// The ids of the last deliveries each source's webhook accepted, so that a delivery sent again
/// (GitHub's "Redeliver", or a replay of a captured request) is answered and does nothing.
/// Bounded: `perSource` ids for each of at most `maxSources` sources, kept in memory only (after
/// a restart a redelivery syncs once more, which is harmless: a sync only fetches).
final class WebhookDeliveries: Sendable {
    private struct Recent {
        var order: [String] = []
        var ids: Set<String> = []
        var lastUsed: UInt64 = 0
    }

    private struct State {
        var sources: [String: Recent] = [:]
        var clock: UInt64 = 0
    }

    let perSource: Int
    let maxSources: Int
    private let state = Mutex(State())

    init(perSource: Int = 100, maxSources: Int = 1_000) {
        self.perSource = perSource
        self.maxSources = maxSources
    }

    /// Records `id` for `source`; false when it was already there (a repeated delivery).
    func remember(_ id: String, for source: String) -> Bool {
        state.withLock { state in
            state.clock += 1
            var recent = state.sources[source] ?? Recent()
            recent.lastUsed = state.clock
            guard recent.ids.insert(id).inserted else {
                state.sources[source] = recent
                return false
            }
            recent.order.append(id)
            if recent.order.count > perSource { recent.ids.remove(recent.order.removeFirst()) }
            state.sources[source] = recent
            if state.sources.count > maxSources, let oldest = state.sources.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
                state.sources[oldest] = nil
            }
            return true
        }
    }

    /// Runs `handle` for a delivery not seen before for `source`, and answers `duplicate()` for a
    /// repeated one. A delivery whose handling throws is forgotten again: its redelivery must be
    /// handled. A delivery without an id is always handled.
    func once<Answer>(
        _ id: String?, for source: String, duplicate: () throws -> Answer, _ handle: () async throws -> Answer
    ) async throws -> Answer {
        guard let id else { return try await handle() }
        guard remember(id, for: source) else { return try duplicate() }
        do {
            return try await handle()
        } catch {
            forget(id, for: source)
            throw error
        }
    }

    /// Drops `id` again (its delivery failed, so a redelivery must be handled).
    func forget(_ id: String, for source: String) {
        state.withLock { state in
            guard var recent = state.sources[source], recent.ids.remove(id) != nil else { return }
            recent.order.removeAll { $0 == id }
            state.sources[source] = recent
        }
    }
}
