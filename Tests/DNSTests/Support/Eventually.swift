import Foundation

/// A failure of the test set-up, with what went wrong.
struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every 100 ms until it holds; fails after `timeout` with `what`.
func eventually(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else { throw SetupError("timed out waiting for: \(what)") }
        try await Task.sleep(for: .milliseconds(100))
    }
}
