import PvdifyModel
import PvdifyStore

/// What every controller works with. Controllers only write desired state to the store.
struct APIServices: Sendable {
    let store: Store
    let logs: AppLogs
    let settings: APISettings
    let limiter: RateLimiter
    /// Open log streams by token, ended when their token is revoked.
    let streams: TokenStreams
    /// Which apps a token reaches.
    let access: AppAccess

    /// Records a platform event in the app's log as process `api` (keys, never values).
    func event(_ app: String, _ message: String) {
        logs.append(app, LogLine(process: "api", message: message))
    }
}
