import Foundation

/// One line of `GET /events`: something that happened to a container.
public struct PodmanEvent: Sendable, Equatable, Decodable {
    /// What the event is about.
    public struct Actor: Sendable, Equatable, Decodable {
        /// The container id.
        public let id: String
        /// `name`, `image`, `containerExitCode`, `podId` and the container's labels.
        public let attributes: [String: String]

        enum CodingKeys: String, CodingKey { case id = "ID", attributes = "Attributes" }

        /// Decodes the actor; a null map becomes empty.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
            attributes = try c.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        }
    }

    /// `container`, `image`, ...
    public let type: String
    /// `create`, `init`, `start`, `died`, `cleanup`, `stop`, `remove`, ...
    public let action: String
    /// The container (or image) concerned.
    public let actor: Actor
    /// When it happened, in nanoseconds since 1970.
    public let timeNano: Int64

    /// The container's name.
    public var name: String? { actor.attributes["name"] }
    /// The exit code reported with `died` events.
    public var exitCode: Int? { actor.attributes["containerExitCode"].flatMap { Int($0) } }
    /// When it happened.
    public var time: Date { Date(timeIntervalSince1970: TimeInterval(timeNano) / 1_000_000_000) }

    enum CodingKeys: String, CodingKey { case type = "Type", action = "Action", actor = "Actor", timeNano }

    /// Decodes one event line.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? ""
        action = try c.decode(String.self, forKey: .action)
        actor = try c.decode(Actor.self, forKey: .actor)
        timeNano = try c.decodeIfPresent(Int64.self, forKey: .timeNano) ?? 0
    }
}
