import Foundation
import PvdifyModel

/// Follows a release until it is `active` or `failed`, printing new deploy-log lines as they
/// appear (pulling, `Started web.1 ...`, `web.1 is healthy`, `Release v3 is active`).
struct ReleaseFollower {
    let api: APIClient
    let app: String
    let version: Int
    let timeout: DurationArgument
    /// Log lines go to standard error with `--json` (standard output holds the JSON).
    let toStandardError: Bool

    func write(_ line: String) {
        if toStandardError { Terminal.error(line) } else { Terminal.line(line) }
    }

    /// The release as it ended; throws a `CLIError` when it failed or the timeout passed.
    func follow() async throws -> JSONValue {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout.duration
        var printed = 0
        var polls = 0
        while true {
            let release: JSONValue
            let log: String
            do {
                release = try await api.get("/apps/\(app)/releases/\(version)")
                log = try await api.send(.GET, "/apps/\(app)/releases/\(version)/log", accept: "text/plain").text
            } catch let error as CLIError where error.httpStatus == 429 {
                // Past the rate limit: wait and look again rather than give up on a deploy in progress.
                try await Task.sleep(for: .seconds(5))
                continue
            }
            let lines = log.split(separator: "\n").map(String.init)
            for line in lines.dropFirst(printed) { write("       " + Output.deployLogMessage(line)) }
            printed = max(printed, lines.count)
            let status = release["status"]?.stringValue ?? "unknown"
            switch status {
            case "active", "superseded":
                return release
            case "failed":
                let reason = lines.last.map(Output.deployLogMessage) ?? "no reason recorded"
                throw CLIError("Release v\(version) of \(app) failed: \(reason)")
            default:
                guard clock.now < deadline else {
                    throw CLIError(
                        "timed out after \(timeout) waiting for release v\(version) of \(app) (still \(status)); "
                            + "it may still finish: see `pvdify releases:info \(app) \(version)`")
                }
            }
            polls += 1
            // Twice a second at first, then every two seconds, to stay well inside the rate limit.
            let pause: Duration = polls < 10 ? .milliseconds(500) : .seconds(2)
            try await Task.sleep(for: min(pause, max(.milliseconds(50), deadline - clock.now)))
        }
    }
}
