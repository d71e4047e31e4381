import Foundation

/// pvdify's containers as last observed, so a reconcile pass reads memory instead of asking the
/// runtime: filled by a full list at start, at each resync and after the event stream reconnects,
/// and kept current in between by the runtime's events and by the reconciler's own calls (so a pass
/// right after a create, start or remove sees it). Events that arrive while a list is in flight are
/// applied again on top of its answer, so a list never rolls back what happened meanwhile.
actor ContainerCache {
    private var containers: [String: ObservedContainer] = [:]
    private var names: [String: Set<String>] = [:]
    private var revisions: [String: Int] = [:]
    private var listsInFlight = 0
    private var held: [ContainerEvent] = []
    /// Whether the cache holds a full list taken since the event stream last broke.
    private(set) var isSynced = false
    /// When a list last failed (the runtime was unreachable).
    private(set) var lastFailure: ContinuousClock.Instant?
    /// List calls made so far (benchmarks and tests count them).
    private(set) var listCalls = 0

    /// The app's containers, by name.
    func containers(of app: String) -> [ObservedContainer] {
        (names[app] ?? []).sorted().compactMap { containers[$0] }
    }

    /// Every app that has containers.
    var apps: Set<String> { Set(names.keys) }

    /// Every container's name.
    var containerNames: Set<String> { Set(containers.keys) }

    /// The host ports the containers hold.
    var hostPorts: [Int] { containers.values.compactMap(\.hostPort) }

    /// Every app's revision: it grows whenever anything about the app's containers changes.
    var allRevisions: [String: Int] { revisions }

    func revision(of app: String) -> Int { revisions[app, default: 0] }

    /// Lists every container through `list` and makes the answer the cache's content. Answers the
    /// apps whose containers differ from what the cache held.
    func refresh(_ list: @Sendable () async throws -> [ObservedContainer]) async throws -> Set<String> {
        listsInFlight += 1
        listCalls += 1
        let listed: [ObservedContainer]
        do {
            listed = try await list()
        } catch {
            listsInFlight -= 1
            if listsInFlight == 0 { held.removeAll() }
            isSynced = false
            lastFailure = .now
            throw error
        }
        listsInFlight -= 1
        var changed: Set<String> = []
        let fresh = Dictionary(listed.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (name, old) in containers where fresh[name] == nil {
            remove(name)
            changed.insert(old.app)
        }
        for (name, container) in fresh where containers[name] != container {
            if Self.same(containers[name], container) {
                containers[name] = container  // only a finer detail (id, start time's precision): no news
            } else {
                put(container)
                changed.insert(container.app)
            }
        }
        let replay = held
        if listsInFlight == 0 { held.removeAll() }
        for event in replay {
            if let app = apply(event, holding: false) { changed.insert(app) }
        }
        isSynced = true
        lastFailure = nil
        return changed
    }

    /// The event stream broke: until the next full list, what the cache holds may be stale.
    func markStale() { isSynced = false }

    /// Applies an event (from the runtime, or the reconciler's own call); answers the app whose
    /// containers changed, if any.
    @discardableResult
    func apply(_ event: ContainerEvent) -> String? { apply(event, holding: true) }

    private func apply(_ event: ContainerEvent, holding: Bool) -> String? {
        if holding && listsInFlight > 0 { held.append(event) }
        let current = containers[event.name]
        // Events of an earlier container of the same name (removed and created again) are old news.
        if let id = current?.id, !event.id.isEmpty, id != event.id, event.action != .create { return nil }
        switch event.action {
        case .create:
            guard current == nil || (current?.id != nil && current?.id != event.id && !event.id.isEmpty) else { return nil }
            guard var container = event.container else { return nil }
            container.running = false
            container.startedAt = nil
            put(container)
            return container.app
        case .start:
            guard var container = current ?? event.container else { return nil }
            if container.running, current != nil { return nil }
            container.running = true
            container.exitCode = 0
            container.startedAt = event.time
            if container.id == nil, !event.id.isEmpty { container.id = event.id }
            put(container)
            return container.app
        case .died:
            guard var container = current, container.running else { return nil }
            container.running = false
            container.exitCode = event.exitCode ?? container.exitCode
            put(container)
            return container.app
        case .remove:
            guard let container = current else { return nil }
            remove(event.name)
            return container.app
        case .other:
            return nil
        }
    }

    private func put(_ container: ObservedContainer) {
        if let old = containers[container.name], old.app != container.app { remove(old.name) }
        containers[container.name] = container
        names[container.app, default: []].insert(container.name)
        revisions[container.app, default: 0] += 1
    }

    private func remove(_ name: String) {
        guard let old = containers.removeValue(forKey: name) else { return }
        names[old.app]?.remove(name)
        if names[old.app]?.isEmpty == true { names[old.app] = nil }
        revisions[old.app, default: 0] += 1
    }

    /// Equal as far as the reconciler cares: a start time seen with whole seconds is the same time.
    static func same(_ a: ObservedContainer?, _ b: ObservedContainer) -> Bool {
        guard var a else { return false }
        var b = b
        if let x = a.startedAt, let y = b.startedAt, abs(x.timeIntervalSince(y)) < 2 { b.startedAt = x }
        if a.id == nil { a.id = b.id }
        return a == b
    }
}
