import Foundation
import PvdifyModel
import Testing

/// A container's logs survive a pvdifyd killed with SIGKILL: after the restart every line the
/// container wrote is there once, in order, including the lines written while pvdifyd was down.
@Suite(.serialized, .enabled(if: ContainerEnvironment.available, "needs PVDIFY_PODMAN_SOCKET and PVDIFY_TEST_REGISTRY"))
struct LogPersistenceTests {
    /// 30 bursts of 20 numbered lines, one burst a second (lines share seconds), then idles.
    static let total = 600
    static let command =
        #"trap 'exit 0' TERM; b=0; while [ $b -lt 30 ]; do b=$((b+1)); i=0; while [ $i -lt 20 ]; do i=$((i+1)); echo "n=$(( (b-1)*20 + i ))"; done; sleep 1; done; while true; do sleep 1; done"#

    /// The numbers of the worker's `n=N` lines, in the order `GET /logs` lists them.
    func numbers(_ env: ContainerEnvironment, _ app: String) async throws -> [Int] {
        let body = try await env.get("/apps/\(app)/logs?process=worker&lines=10000")
        return (body["lines"]?.arrayValue ?? []).compactMap { line in
            guard let message = line["message"]?.stringValue, message.hasPrefix("n=") else { return nil }
            return Int(message.dropFirst(2))
        }
    }

    @Test func logsFromBeforeASIGKILLArePresentOnceAndInOrderAfterARestart() async throws {
        try await ContainerEnvironment.withDaemon { env in
            let app = env.uniqueApp("logkill")
            try await env.create(app)
            let command = String(decoding: try JSONEncoder().encode(Self.command), as: UTF8.self)
            try await env.patch(app, #"{"processes":{"web":{"count":0},"worker":{"command":\#(command),"count":1}}}"#)
            try await env.deploy(app, tag: "v1")
            try await env.waitUntil("the first lines collected", timeout: .seconds(60)) { try await numbers(env, app).count >= 60 }

            #expect(try await env.daemon.stop(signal: SIGKILL) == SIGKILL)
            try await Task.sleep(for: .seconds(3))  // the container writes on while pvdifyd is down
            try await env.daemon.start()

            try await env.waitUntil("all \(Self.total) lines", timeout: .seconds(90)) {
                try await numbers(env, app).count >= Self.total
            }
            try await Task.sleep(for: .seconds(2))  // time for any duplicate to show up
            let seen = try await numbers(env, app)
            #expect(seen == Array(1...Self.total), "first differences: \(Self.differences(seen))")

            // Deleting the app deletes its logs, on disk too.
            let folder = env.daemon.dataDirectory.appendingPathComponent("logs/\(app)")
            #expect(FileManager.default.fileExists(atPath: folder.path))
            _ = try await env.send("DELETE", "/apps/\(app)", nil)
            try await env.waitUntil("no container left") { try await env.containers(app).isEmpty }
            try await env.waitUntil("its logs gone from disk", timeout: .seconds(20)) {
                !FileManager.default.fileExists(atPath: folder.path)
            }
        }
    }

    static func differences(_ seen: [Int]) -> String {
        var notes: [String] = []
        var counts: [Int: Int] = [:]
        for number in seen { counts[number, default: 0] += 1 }
        let repeated = counts.filter { $0.value > 1 }.keys.sorted()
        let missing = (1...total).filter { counts[$0] == nil }
        if !repeated.isEmpty { notes.append("repeated \(repeated.prefix(10))") }
        if !missing.isEmpty { notes.append("missing \(missing.prefix(10))") }
        if repeated.isEmpty, missing.isEmpty { notes.append("out of order") }
        return notes.joined(separator: ", ")
    }
}
