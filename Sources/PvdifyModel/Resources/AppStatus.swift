import Foundation

/// What the reconcilers observed about an app. Only reconcilers write it; the API only reads it.
public struct AppStatus: Sendable, Equatable, Codable {
    public var observedGeneration: Int
    public var phase: AppPhase
    public var conditions: [Condition]
    public var processes: [String: ProcessStatus]
    /// `127.0.0.1:<port>` of the web instances that should get traffic, for the router.
    public var upstreams: [String]
    /// The upstreams the router has live now (written by the route reconciler).
    public var routedUpstreams: [String]

    public init(
        observedGeneration: Int = 0,
        phase: AppPhase = .pending,
        conditions: [Condition] = [],
        processes: [String: ProcessStatus] = [:],
        upstreams: [String] = [],
        routedUpstreams: [String] = []
    ) {
        self.observedGeneration = observedGeneration
        self.phase = phase
        self.conditions = conditions
        self.processes = processes
        self.upstreams = upstreams
        self.routedUpstreams = routedUpstreams
    }

    enum CodingKeys: String, CodingKey {
        case observedGeneration = "observed_generation"
        case phase, conditions, processes, upstreams
        case routedUpstreams = "routed_upstreams"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        observedGeneration = try container.decode(Int.self, forKey: .observedGeneration)
        phase = try container.decode(AppPhase.self, forKey: .phase)
        conditions = try container.decodeIfPresent([Condition].self, forKey: .conditions) ?? []
        processes = try container.decodeIfPresent([String: ProcessStatus].self, forKey: .processes) ?? [:]
        upstreams = try container.decodeIfPresent([String].self, forKey: .upstreams) ?? []
        routedUpstreams = try container.decodeIfPresent([String].self, forKey: .routedUpstreams) ?? []
    }

    /// Sets a condition, keeping its transition time unless its status changes. `observedGeneration`
    /// is the app generation the reconciler saw when it decided the condition (as Flux records it).
    public mutating func setCondition(
        _ type: String, _ status: Bool, reason: String, message: String = "", observedGeneration: Int? = nil, now: Date = Date()
    ) {
        let text = status ? "True" : "False"
        if let index = conditions.firstIndex(where: { $0.type == type }) {
            let previous = conditions[index]
            conditions[index] = Condition(
                type: type, status: text, reason: reason, message: message,
                lastTransitionTime: previous.status == text ? previous.lastTransitionTime : now,
                observedGeneration: observedGeneration ?? previous.observedGeneration)
        } else {
            conditions.append(Condition(
                type: type, status: text, reason: reason, message: message, lastTransitionTime: now,
                observedGeneration: observedGeneration))
        }
    }

    /// The condition of `type`, if set.
    public func condition(_ type: String) -> Condition? { conditions.first { $0.type == type } }
}

public enum AppPhase: String, Sendable, Codable, CaseIterable {
    case pending, deploying, running, crashed, failed, stopped
}

/// Observed state of one process type.
public struct ProcessStatus: Sendable, Equatable, Codable {
    public var desired: Int
    public var running: Int
    /// `pending`, `starting`, `running`, `scaling`, `crashed`, `stopped`.
    public var status: String
    public var restarts: Int

    public init(desired: Int, running: Int, status: String, restarts: Int = 0) {
        self.desired = desired
        self.running = running
        self.status = status
        self.restarts = restarts
    }
}

/// A Kubernetes-style condition; `lastTransitionTime` changes only when `status` changes.
public struct Condition: Sendable, Equatable, Codable {
    public var type: String
    public var status: String
    public var reason: String
    public var message: String
    public var lastTransitionTime: Date
    /// The app generation the condition was decided for (nil in status written before it was recorded).
    public var observedGeneration: Int?

    public init(
        type: String, status: String, reason: String, message: String = "", lastTransitionTime: Date = Date(),
        observedGeneration: Int? = nil
    ) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
        self.observedGeneration = observedGeneration
    }

    enum CodingKeys: String, CodingKey {
        case type, status, reason, message
        case lastTransitionTime = "last_transition_time"
        case observedGeneration = "observed_generation"
    }
}
