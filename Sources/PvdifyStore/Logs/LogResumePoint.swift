/// Where a container's log stream was when its last line was kept: the time of that line and the
/// lines kept at exactly that time, in order. Podman's `since` is coarser than a line, so a stream
/// started again replays lines at that time; these are the ones to skip.
public struct LogResumePoint: Sendable, Equatable {
    /// The time of the last kept line, in microseconds since 1970.
    public var micros: Int64
    /// The messages kept at exactly `micros`, oldest first.
    public var messages: [String]

    /// At most this many messages at one instant are remembered (a container printing more in one
    /// microsecond may see a few of them twice after a restart).
    static let maxMessages = 10_000

    /// Makes a resume point.
    public init(micros: Int64, messages: [String]) {
        self.micros = micros
        self.messages = messages
    }

    /// Takes a new line of the same source into account.
    mutating func record(micros: Int64, message: String) {
        if micros > self.micros {
            self.micros = micros
            messages = [message]
        } else if micros == self.micros, messages.count < Self.maxMessages {
            messages.append(message)
        }
    }
}
