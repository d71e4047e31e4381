import Foundation

extension PodmanRequests {
    /// When `pullImage` fetches from the registry.
    public enum PullPolicy: String, Sendable {
        /// Always ask the registry (layers already present are not downloaded again).
        case always
        /// Only when the image is not present locally.
        case missing
        /// When the registry has a different image than the local one.
        case newer
    }

    /// `POST /images/pull?reference=...&tlsVerify=...&policy=...`: streams JSON progress lines that
    /// end with `{"id": ...}` or `{"error": ...}` (the HTTP status is 200 either way).
    public static func pullImage(_ reference: String, tlsVerify: Bool, policy: PullPolicy = .missing) -> PodmanRequest {
        PodmanRequest(
            method: .post, path: prefix + "/images/pull",
            query: [("reference", reference), ("tlsVerify", String(tlsVerify)), ("policy", policy.rawValue)])
    }

    /// `GET /containers/{name}/logs`: stdout and stderr as 8-byte-header frames. `since` keeps
    /// lines from that time on; `tail` keeps only the last N lines; `follow` keeps streaming.
    public static func logs(
        _ name: String, follow: Bool, since: Date? = nil, tail: Int? = nil, timestamps: Bool = false
    ) -> PodmanRequest {
        var query = [("stdout", "true"), ("stderr", "true"), ("follow", String(follow)), ("timestamps", String(timestamps))]
        if let since { query.append(("since", unixTime(since))) }
        if let tail { query.append(("tail", String(tail))) }
        return PodmanRequest(method: .get, path: containerPath(name, "/logs"), query: query)
    }

    /// `GET /events?stream=true&filters={"label":[...],"type":["container"]}`: container events as
    /// newline-delimited JSON for containers carrying all the given labels, from now on, or first
    /// replaying those recorded since `since` (so a watcher that restarts misses nothing).
    public static func events(labelFilters: [String] = [], since: Date? = nil) -> PodmanRequest {
        var filters = ["type": ["container"]]
        if !labelFilters.isEmpty { filters["label"] = labelFilters }
        var query = [("stream", "true"), ("filters", filtersJSON(filters))]
        if let since { query.append(("since", unixTime(since))) }
        return PodmanRequest(method: .get, path: prefix + "/events", query: query)
    }

    /// Unix time as `seconds.nanoseconds`, a form Podman's `since` accepts.
    static func unixTime(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = interval.rounded(.down)
        var nanos = ((interval - seconds) * 1_000_000_000).rounded()
        if nanos >= 1_000_000_000 {
            seconds += 1
            nanos = 0
        }
        let digits = String(Int(nanos))
        return "\(Int(seconds))." + String(repeating: "0", count: 9 - digits.count) + digits
    }
}
