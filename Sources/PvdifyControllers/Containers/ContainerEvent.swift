import Foundation

/// Something that happened to one of pvdify's containers, as the runtime's event stream reports it.
public struct ContainerEvent: Sendable, Equatable {
    /// The changes the observed-state cache follows; other actions (`init`, `stop`, `cleanup`...) are `other`.
    public enum Action: String, Sendable {
        case create, start, died, remove, other
    }

    public var action: Action
    /// The container id (empty when the runtime did not say).
    public var id: String
    public var name: String
    /// The container as its labels describe it (running, exit code and start time set by the action).
    public var container: ObservedContainer?
    public var exitCode: Int?
    public var time: Date

    public init(action: Action, id: String, name: String, container: ObservedContainer?, exitCode: Int? = nil, time: Date = Date()) {
        self.action = action
        self.id = id
        self.name = name
        self.container = container
        self.exitCode = exitCode
        self.time = time
    }
}
