import Synchronization

/// Recently read app views, so `GET /apps/{name}` costs no query when nothing changed. Every write
/// that touches an app invalidates it; an epoch keeps a read that raced an invalidation from
/// storing a stale view.
final class AppViewCache: Sendable {
    private struct State {
        var epoch = 0
        var views: [String: AppView] = [:]
    }

    private let state = Mutex(State())

    var epoch: Int { state.withLock { $0.epoch } }

    func get(_ app: String) -> AppView? { state.withLock { $0.views[app] } }

    /// Stores a view read when the epoch was `epoch`, unless something changed since.
    func put(_ view: AppView, readAt epoch: Int) {
        state.withLock { state in
            guard state.epoch == epoch else { return }
            state.views[view.app.name] = view
        }
    }

    func invalidate(_ apps: some Sequence<String>) {
        state.withLock { state in
            state.epoch += 1
            for app in apps { state.views[app] = nil }
        }
    }
}
