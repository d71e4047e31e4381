import Foundation
import NIOCore
import PvdifyModel

/// The state of a Kubernetes API stand-in (objects with their field managers, a resource version
/// counter, the recent events for watches) and its answers to the calls pvdify makes: server-side
/// apply with conflicts, get, list and watch by label, delete. A simulated Deployment controller
/// (FakeKubernetes+Deployments.swift) moves Deployments' status.
actor FakeKubernetes {
    /// One incoming call, reduced to what the stand-in looks at.
    struct Call: Sendable {
        var method: String
        var path: String
        var query: [String: String]
        var authorization: String?
        var contentType: String?
        var body: Data
    }

    /// An answer: JSON, or a stream of newline-delimited watch events.
    enum Reply: Sendable {
        case json(Int, JSONValue)
        case stream(AsyncStream<ByteBuffer>)
    }

    /// A stored object and the fields each manager owns in it.
    struct Stored: Sendable {
        var resource: FakeResource
        var object: JSONValue
        var owners: [String: Ownership] = [:]
    }

    /// One event kept for watches that start from an earlier resource version.
    struct Event: Sendable {
        var version: Int
        var plural: String
        var namespace: String
        var type: String
        var object: JSONValue
    }

    struct Watcher: Sendable {
        var plural: String
        var namespace: String
        var selector: LabelSelector
        var continuation: AsyncStream<ByteBuffer>.Continuation
    }

    let token: String?
    let readyDelay: Duration
    let progressDeadline: Duration
    var objects: [ObjectKey: Stored] = [:]
    var resourceVersion = 1
    var history: [Event] = []
    /// Watches from a version below this one are answered 410 Gone.
    var oldestWatchable = 0
    var watchers: [UUID: Watcher] = [:]
    /// Deployments whose rollout is in progress, and since when.
    var rollouts: [ObjectKey: ContinuousClock.Instant] = [:]
    /// API calls received, by method (`GET` counts lists and watches too), for `/__admin/stats`.
    var calls: [String: Int] = [:]
    static let historyLimit = 1000
    /// The image marker of an object an admission webhook refuses (422 Invalid).
    static let deniedMarker = ":denied"

    init(token: String?, readyDelay: Duration, progressDeadline: Duration) {
        self.token = token
        self.readyDelay = readyDelay
        self.progressDeadline = progressDeadline
    }

    /// Answers one call.
    func respond(_ call: Call) -> Reply {
        if call.path.hasPrefix("/__admin/") { return admin(call) }
        calls[call.method, default: 0] += 1
        if let token, call.authorization != "Bearer \(token)" { return Self.status(401, "Unauthorized", "Unauthorized") }
        guard let (resource, namespace, name) = FakeResource.parse(call.path) else {
            return Self.status(404, "NotFound", "the server could not find the requested resource")
        }
        switch (call.method, name) {
        case ("GET", nil):
            if call.query["watch"] == "1" || call.query["watch"] == "true" { return watch(resource, namespace: namespace, call) }
            return list(resource, namespace: namespace, call)
        case ("GET", let name?):
            guard let stored = objects[ObjectKey(plural: resource.plural, namespace: namespace, name: name)] else {
                return Self.notFound(resource, name)
            }
            return .json(200, rendered(stored))
        case ("PATCH", let name?):
            return apply(resource, namespace: namespace, name: name, call)
        case ("DELETE", let name?):
            let key = ObjectKey(plural: resource.plural, namespace: namespace, name: name)
            guard let stored = objects.removeValue(forKey: key) else { return Self.notFound(resource, name) }
            rollouts[key] = nil
            resourceVersion += 1
            publish(key, type: "DELETED", object: rendered(stored))
            return .json(200, ["kind": "Status", "apiVersion": "v1", "status": "Success", "details": ["name": .string(name), "kind": .string(resource.plural)]])
        default:
            return Self.status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        }
    }

    // MARK: - Server-side apply

    func apply(_ resource: FakeResource, namespace: String, name: String, _ call: Call) -> Reply {
        guard call.contentType?.hasPrefix("application/apply-patch+yaml") == true else {
            return Self.status(415, "UnsupportedMediaType", "the stand-in takes server-side apply (application/apply-patch+yaml) only")
        }
        guard let manager = call.query["fieldManager"], !manager.isEmpty else {
            return Self.status(400, "BadRequest", "PATCH, application/apply-patch+yaml requires fieldManager to be set")
        }
        let force = call.query["force"] == "true"
        guard let config = try? YAMLDocuments.parseOne(String(decoding: call.body, as: UTF8.self)), config.objectValue != nil else {
            return Self.status(400, "BadRequest", "the body is not a YAML or JSON object")
        }
        guard config["apiVersion"]?.stringValue == resource.apiVersion, config["kind"]?.stringValue == resource.kind,
              config["metadata"]?["name"]?.stringValue == name
        else { return Self.status(400, "BadRequest", "apiVersion, kind and metadata.name must match the path") }
        if let other = config["metadata"]?["namespace"]?.stringValue, other != namespace {
            return Self.status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
        }
        let images = config["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.compactMap { $0["image"]?.stringValue } ?? []
        if images.contains(where: { $0.contains(Self.deniedMarker) }) {
            return Self.status(422, "Invalid", "admission webhook \"images.example.com\" denied the request: image not allowed")
        }
        let key = ObjectKey(plural: resource.plural, namespace: namespace, name: name)
        let fields = config.ownableFields()
        var stored = objects[key] ?? Stored(resource: resource, object: [
            "apiVersion": .string(resource.apiVersion), "kind": .string(resource.kind),
            "metadata": [
                "name": .string(name), "namespace": .string(namespace), "uid": .string(UUID().uuidString.lowercased()),
                "creationTimestamp": .string(Self.now()), "generation": 0,
            ],
        ])
        // A field another manager owns with a different value is a conflict, unless forced.
        var conflicts: [(manager: String, path: FieldPath)] = []
        for (path, value) in fields {
            for (other, ownership) in stored.owners where other != manager && ownership.fields.contains(path) {
                if stored.object.value(at: path) != value { conflicts.append((other, path)) }
            }
        }
        if !conflicts.isEmpty, !force {
            let sorted = conflicts.sorted { $0.path.dotted < $1.path.dotted }
            let causes: [JSONValue] = sorted.map {
                ["type": "FieldManagerConflict", "message": .string("conflict with \"\($0.manager)\""), "field": .string($0.path.dotted)]
            }
            let list = sorted.map { "conflict with \"\($0.manager)\": \($0.path.dotted)" }.joined(separator: ", ")
            return .json(409, [
                "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Conflict", "code": 409,
                "message": .string("Apply failed with \(sorted.count) conflict\(sorted.count == 1 ? "" : "s"): \(list)"),
                "details": ["name": .string(name), "kind": .string(resource.plural), "causes": .array(causes)],
            ])
        }
        for (other, path) in conflicts { stored.owners[other]?.fields.remove(path) }
        // Fields this manager applied before and leaves out now go, unless another manager owns them.
        let previous = stored.owners[manager]?.fields ?? []
        for path in previous where fields[path] == nil {
            if !stored.owners.contains(where: { $0.key != manager && $0.value.fields.contains(path) }) { stored.object.remove(at: path) }
        }
        for (path, value) in fields { stored.object.set(value, at: path) }
        stored.owners[manager] = Ownership(operation: "Apply", fields: Set(fields.keys), time: Self.now())
        stored.owners = stored.owners.filter { !$0.value.fields.isEmpty }
        return .json(objects[key] == nil ? 201 : 200, commit(key, stored))
    }

    /// Stores a written object: a new resource version (and generation, when more than metadata
    /// changed) only when the object really changed, and a watch event.
    func commit(_ key: ObjectKey, _ new: Stored) -> JSONValue {
        var stored = new
        let old = objects[key]
        if let old, Self.content(old.object) == Self.content(stored.object) {
            objects[key] = stored
            return rendered(stored)
        }
        if old == nil || Self.spec(old!.object) != Self.spec(stored.object) {
            let generation = (stored.object["metadata"]?["generation"]?.intValue ?? 0) + 1
            stored.object.set(.int(generation), at: ["metadata", "generation"])
        }
        resourceVersion += 1
        stored.object.set(.string(String(resourceVersion)), at: ["metadata", "resourceVersion"])
        objects[key] = stored
        let object = rendered(stored)
        publish(key, type: old == nil ? "ADDED" : "MODIFIED", object: object)
        return object
    }

    /// The object without the server's bookkeeping, to tell whether a write changed anything.
    static func content(_ object: JSONValue) -> JSONValue {
        var copy = object
        copy.remove(at: ["metadata", "resourceVersion"])
        copy.remove(at: ["metadata", "generation"])
        return copy
    }

    /// Everything but metadata and status: what a generation counts.
    static func spec(_ object: JSONValue) -> JSONValue {
        var copy = object
        copy.remove(at: ["metadata"])
        copy.remove(at: ["status"])
        return copy
    }

    /// The object as the API shows it, with `metadata.managedFields`.
    func rendered(_ stored: Stored) -> JSONValue {
        var object = stored.object
        let entries = stored.owners.sorted { $0.key < $1.key }.map { $0.value.entry(manager: $0.key, apiVersion: stored.resource.apiVersion) }
        object.set(.array(entries), at: ["metadata", "managedFields"])
        return object
    }

    // MARK: - List and watch

    func list(_ resource: FakeResource, namespace: String, _ call: Call) -> Reply {
        guard let selector = LabelSelector(call.query["labelSelector"] ?? "") else {
            return Self.status(400, "BadRequest", "unable to parse the label selector")
        }
        let items = objects.filter { $0.key.plural == resource.plural && $0.key.namespace == namespace && selector.matches($0.value.object) }
            .sorted { $0.key.name < $1.key.name }.map { rendered($0.value) }
        return .json(200, [
            "apiVersion": .string(resource.apiVersion), "kind": .string(resource.kind + "List"),
            "metadata": ["resourceVersion": .string(String(resourceVersion))], "items": .array(items),
        ])
    }

    func watch(_ resource: FakeResource, namespace: String, _ call: Call) -> Reply {
        guard let selector = LabelSelector(call.query["labelSelector"] ?? "") else {
            return Self.status(400, "BadRequest", "unable to parse the label selector")
        }
        let from = call.query["resourceVersion"].flatMap { Int($0) } ?? 0
        if from > 0, from < oldestWatchable {
            return Self.status(410, "Expired", "too old resource version: \(from) (\(oldestWatchable))")
        }
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        if from > 0 {
            for event in history where event.version > from && event.plural == resource.plural && event.namespace == namespace
                && selector.matches(event.object)
            {
                continuation.yield(Self.line(event.type, event.object))
            }
        } else {
            for (key, stored) in objects.sorted(by: { $0.key.name < $1.key.name })
            where key.plural == resource.plural && key.namespace == namespace && selector.matches(stored.object) {
                continuation.yield(Self.line("ADDED", rendered(stored)))
            }
        }
        let id = UUID()
        watchers[id] = Watcher(plural: resource.plural, namespace: namespace, selector: selector, continuation: continuation)
        continuation.onTermination = { _ in Task { await self.forget(id) } }
        if let seconds = call.query["timeoutSeconds"].flatMap({ Int($0) }), seconds > 0 {
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                continuation.finish()
            }
        }
        return .stream(stream)
    }

    func forget(_ watcher: UUID) { watchers[watcher] = nil }

    /// Sends an event to the watches it concerns and keeps it for later ones.
    func publish(_ key: ObjectKey, type: String, object: JSONValue) {
        history.append(Event(version: resourceVersion, plural: key.plural, namespace: key.namespace, type: type, object: object))
        if history.count > Self.historyLimit {
            history.removeFirst(history.count - Self.historyLimit)
            oldestWatchable = history.first?.version ?? resourceVersion
        }
        for watcher in watchers.values where watcher.plural == key.plural && watcher.namespace == key.namespace
            && watcher.selector.matches(object)
        {
            watcher.continuation.yield(Self.line(type, object))
        }
    }

    static func line(_ type: String, _ object: JSONValue) -> ByteBuffer {
        let event: JSONValue = ["type": .string(type), "object": object]
        return ByteBuffer(bytes: event.serialized() + [UInt8(ascii: "\n")])
    }

    // MARK: - Answers

    static func status(_ code: Int, _ reason: String, _ message: String) -> Reply {
        .json(code, [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message),
            "reason": .string(reason), "code": .int(code),
        ])
    }

    static func notFound(_ resource: FakeResource, _ name: String) -> Reply {
        status(404, "NotFound", "\(resource.plural) \"\(name)\" not found")
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
