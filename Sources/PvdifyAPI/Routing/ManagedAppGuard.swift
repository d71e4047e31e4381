import HTTPTypes

/// Which app routes change an app's spec, and so are refused (409) while a source that is not
/// suspended manages the app: its spec lives in git. Restarts, secrets (never in git in clear),
/// domain verification and previews are not spec writes.
enum ManagedAppGuard {
    static let exempt: Set<String> = [
        "/api/v1/apps/{name}/ps/restart",
        "/api/v1/apps/{name}/config/secrets",
        "/api/v1/apps/{name}/domains/{domain}/verify",
        "/api/v1/apps/{name}/previews",
        "/api/v1/apps/{name}/previews/{pr_number}",
    ]

    /// Whether `method` on the templated `path` writes an app's spec.
    static func isSpecWrite(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        method != .get && method != .head && path.hasPrefix("/api/v1/apps/{name}") && !exempt.contains(path)
    }

    /// Whether `method` on the templated `path` changes a preview app, and so is refused (409):
    /// a preview is derived from its record and its parent. Only restarts are allowed (and the
    /// previews routes, which refuse a preview of a preview themselves).
    static func isPreviewWrite(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        method != .get && method != .head && path.hasPrefix("/api/v1/apps/{name}") && !previewExempt.contains(path)
    }

    static let previewExempt: Set<String> = [
        "/api/v1/apps/{name}/ps/restart",
        "/api/v1/apps/{name}/previews",
        "/api/v1/apps/{name}/previews/{pr_number}",
    ]
}
