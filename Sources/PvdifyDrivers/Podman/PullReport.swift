/// One JSON line of `POST /images/pull`'s streamed answer.
public struct PullReport: Sendable, Equatable, Decodable {
    /// A progress message (`Trying to pull ...`, `Copying blob ...`).
    public let stream: String?
    /// Why the pull failed; sent as the last line, with HTTP status 200 all the same.
    public let error: String?
    /// The pulled image's id; sent as the last line on success.
    public let id: String?
}
