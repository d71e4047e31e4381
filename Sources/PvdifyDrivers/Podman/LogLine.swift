import Foundation

/// One line a container wrote.
public struct LogLine: Sendable, Equatable {
    /// Which output stream a line came from.
    public enum Stream: UInt8, Sendable {
        /// Standard output (frame type 1).
        case stdout = 1
        /// Standard error (frame type 2).
        case stderr = 2
    }

    /// stdout or stderr.
    public let stream: Stream
    /// When Podman recorded it (only when logs were asked `timestamps: true`).
    public let timestamp: Date?
    /// The text, without its newline.
    public let text: String

    /// Makes a line.
    public init(stream: Stream, timestamp: Date? = nil, text: String) {
        self.stream = stream
        self.timestamp = timestamp
        self.text = text
    }
}
