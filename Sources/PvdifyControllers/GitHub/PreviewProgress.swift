import PvdifyModel

/// How far a preview app's current release got, as the deployment status tells GitHub.
public enum PreviewProgress: Sendable, Equatable {
    /// No release yet, or the current one is rolling out.
    case deploying(release: Int?)
    /// The current release is active and the app runs.
    case ready
    /// The current release failed, or the app crashed; the reason.
    case failed(String)

    /// The progress from the app's newest release, its phase, and the reason a failure gives
    /// (the release's last log line, or the Ready condition's message).
    public static func of(newest: Release?, phase: AppPhase?, reason: String?) -> PreviewProgress {
        guard let newest else { return .deploying(release: nil) }
        switch (newest.status, phase) {
        case (.failed, _):
            return .failed(reason ?? "Release v\(newest.version) failed")
        case (.active, .running):
            return .ready
        case (.active, .crashed), (.active, .failed):
            return .failed(reason ?? "The preview crashed")
        default:
            return .deploying(release: newest.version)
        }
    }
}
