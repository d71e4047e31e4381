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
        let binary = BuiltProducts.executable("FakeCloudflare", override: "PVDIFY_FAKE_CLOUDFLARE_BIN")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("fake-cloudflare-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--port", "0", "--token", token] + zones.flatMap { ["--zone", $0] }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        for _ in 0..<200 {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("fake-cloudflare listening on 127.0.0.1:") }),
                let port = Int(line.split(separator: ":").last ?? "")
            {
                return CloudflareStandIn(process: process, port: port, output: output)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        let log = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        throw DaemonError(message: "FakeCloudflare (\(binary.path)) did not start: \(log)")
    }

    /// Stops the process (without blocking a thread on it) and removes its log.
    func stop() async {
        if process.isRunning { process.terminate() }
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
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
