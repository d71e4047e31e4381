import Foundation
import PvdifyModel
import PvdifyTestSupport

/// The `FakeCloudflare` stand-in (hack/fake-cloudflare) as a child process on a free 127.0.0.1
/// port, accepting one token and holding the given zones; reads back the records pvdifyd made.
final class CloudflareStandIn: @unchecked Sendable {
    /// The API token the stand-in accepts (what `CLOUDFLARE_API_TOKEN` is set to).
    static let token = "pvdify-e2e-cloudflare-token"
    let process: Process
    let port: Int
    let output: URL

    /// The API base URL, as `--cloudflare-api-url` takes it.
    var apiURL: String { "http://127.0.0.1:\(port)/client/v4" }

    private init(process: Process, port: Int, output: URL) {
        self.process = process
        self.port = port
        self.output = output
    }

    /// Starts the stand-in with `zones` and waits until it listens.
    static func start(zones: [String]) async throws -> CloudflareStandIn {
        let standIn = try await StandInProcess.start(
            "FakeCloudflare", override: "PVDIFY_FAKE_CLOUDFLARE_BIN", banner: "fake-cloudflare",
            arguments: ["--token", token] + zones.flatMap { ["--zone", $0] },
            output: FileManager.default.temporaryDirectory.appendingPathComponent("fake-cloudflare-\(UUID().uuidString).log"))
        return CloudflareStandIn(process: standIn.process, port: standIn.port, output: standIn.output)
    }

    /// Stops the process (without blocking a thread on it) and removes its log.
    func stop() async {
        await StandInProcess.stop(process)
        try? FileManager.default.removeItem(at: output)
    }

    /// A DNS record as the stand-in's admin endpoint shows it.
    struct Record: Equatable {
        var type: String
        var name: String
        var content: String
        var comment: String?
    }

    /// The records of every zone named `name`.
    func records(named name: String) async throws -> [Record] {
        let reply = try await HTTP.request("GET", "http://127.0.0.1:\(port)/__admin/records")
        guard reply.status == 200 else { throw DaemonError(message: "listing records: \(reply.status) \(reply.body)") }
        let all = try JSONValue.parse(json: Data(reply.body.utf8)).arrayValue ?? []
        return all.map { record in
            Record(
                type: record["type"]?.stringValue ?? "", name: record["name"]?.stringValue ?? "",
                content: record["content"]?.stringValue ?? "", comment: record["comment"]?.stringValue)
        }.filter { $0.name == name }
    }
}
