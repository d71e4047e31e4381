import Synchronization

/// What a handler tells the request gate about its request, after the fact: whether it made a
/// release (else the deploy slot it reserved is given back) and which apps it named in its body
/// (for the audit log).
final class RequestRecord: Sendable {
    private struct State {
        var releaseCreated = false
        var apps: [String]?
    }

    private let state = Mutex(State())

    /// The request made at least one release: its deploy slot is spent.
    func noteRelease() { state.withLock { $0.releaseCreated = true } }

    /// The apps the request named in its body (a new app's name, an apply's documents).
    func noteApps(_ apps: [String]) { state.withLock { $0.apps = apps } }

    var releaseCreated: Bool { state.withLock { $0.releaseCreated } }
    var apps: [String]? { state.withLock { $0.apps } }
}
