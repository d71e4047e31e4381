import Foundation
import PvdifyTestSupport
import Logging
import PvdifyDrivers
import PvdifyModel

/// The `FakeCloudflare` stand-in as a child process on a free 127.0.0.1 port, with helpers for its
/// admin endpoints and for acting as a person in Cloudflare's dashboard (calls with the token).
final class FakeCloudflareServer: @unchecked Sendable {
    static let token = "pvdify-test-token"
    let process: Process
    let port: Int
    let output: URL

    /// The API base URL, as `--cloudflare-api-url` takes it.
    var apiURL: URL { URL(string: "http://127.0.0.1:\(port)/client/v4")! }
    var adminURL: String { "http://127.0.0.1:\(port)/__admin" }

    private init(process: Process, port: Int, output: URL) {
        self.process = process
        self.port = port
        self.output = output
    }

    /// Starts the stand-in, accepting `tokens`, and waits until it listens.
    static func start(tokens: [String] = [token], zones: [String] = []) async throws -> FakeCloudflareServer {
        let standIn = try await StandInProcess.start(
            "FakeCloudflare", override: "PVDIFY_FAKE_CLOUDFLARE_BIN", banner: "fake-cloudflare",
            arguments: tokens.flatMap { ["--token", $0] } + zones.flatMap { ["--zone", $0] },
            output: FileManager.default.temporaryDirectory.appendingPathComponent("fake-cloudflare-\(UUID().uuidString).log"))
        return FakeCloudflareServer(process: standIn.process, port: standIn.port, output: standIn.output)
    }

    /// Stops the process and removes its log.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: output)
    }

    /// A real client for this stand-in.
    func client(
        token: String = FakeCloudflareServer.token, retry: CloudflareRetryPolicy = CloudflareRetryPolicy(baseDelay: .milliseconds(50)),
        timeout: Duration = .seconds(10), pageSize: Int? = nil
    ) -> CloudflareClient {
        var client = CloudflareClient(baseURL: apiURL, token: token, retry: retry, timeout: timeout, logger: Logger(label: "test"))
        if let pageSize {
            client.zonePageSize = pageSize
            client.recordPageSize = pageSize
        }
        return client
    }

    // MARK: - Admin

    /// Adds a zone; answers its id.
    @discardableResult
    func addZone(_ name: String) async throws -> String {
        let reply = try await HTTPCalls.send("POST", "\(adminURL)/zones", json: #"{"name":"\#(name)"}"#)
        guard let id = reply.json["id"]?.stringValue else { throw SetupError("adding zone \(name): \(reply.body)") }
        return id
    }

    /// Every record of every zone.
    func records() async throws -> [SeenRecord] {
        try await HTTPCalls.send("GET", "\(adminURL)/records").json.arrayValue?.map(SeenRecord.init) ?? []
    }

    /// Records with `name`.
    func records(named name: String) async throws -> [SeenRecord] {
        try await records().filter { $0.name == name }
    }

    /// Makes the next `count` matching API calls fail with `status` (and/or answer after `delayMilliseconds`).
    func fault(status: Int? = nil, retryAfter: Int? = nil, delayMilliseconds: Int = 0, count: Int, method: String? = nil) async throws {
        var fields = [#""count":\#(count)"#, #""delay_ms":\#(delayMilliseconds)"#]
        if let status { fields.append(#""status":\#(status)"#) }
        if let retryAfter { fields.append(#""retry_after":\#(retryAfter)"#) }
        if let method { fields.append(#""method":"\#(method)""#) }
        let reply = try await HTTPCalls.send("POST", "\(adminURL)/faults", json: "{\(fields.joined(separator: ","))}")
        guard reply.status == 200 else { throw SetupError("setting a fault: \(reply.body)") }
    }

    /// What the stand-in has received.
    func stats() async throws -> Stats {
        let json = try await HTTPCalls.send("GET", "\(adminURL)/stats").json
        return Stats(
            requests: json["requests"]?.intValue ?? -1, mutations: json["mutations"]?.intValue ?? -1,
            rateLimited: json["rate_limited"]?.intValue ?? -1, serverErrors: json["server_errors"]?.intValue ?? -1,
            delayed: json["delayed"]?.intValue ?? -1)
    }

    /// The stand-in's counters.
    struct Stats: Equatable {
        var requests: Int
        var mutations: Int
        var rateLimited: Int
        var serverErrors: Int
        var delayed: Int
    }

    // MARK: - As a person in the dashboard

    /// A call to the public API with the token, as someone editing DNS by hand would make.
    @discardableResult
    func byHand(_ method: String, _ path: String, json: String? = nil) async throws -> JSONValue {
        let reply = try await HTTPCalls.send(method, apiURL.absoluteString + path, bearer: Self.token, json: json)
        guard reply.status < 400 else { throw SetupError("\(method) \(path): \(reply.status) \(reply.body)") }
        return reply.json["result"] ?? .null
    }

    /// Creates a record by hand in zone `zoneID`; answers its id.
    @discardableResult
    func createByHand(zoneID: String, _ json: String) async throws -> String {
        try await byHand("POST", "/zones/\(zoneID)/dns_records", json: json)["id"]?.stringValue ?? ""
    }
}

/// A record as the stand-in's admin endpoint shows it.
struct SeenRecord: Equatable {
    var id: String
    var zoneID: String
    var type: String
    var name: String
    var content: String
    var proxied: Bool
    var comment: String?

    init(_ json: JSONValue) {
        id = json["id"]?.stringValue ?? ""
        zoneID = json["zone_id"]?.stringValue ?? ""
        type = json["type"]?.stringValue ?? ""
        name = json["name"]?.stringValue ?? ""
        content = json["content"]?.stringValue ?? ""
        proxied = json["proxied"]?.boolValue ?? false
        comment = json["comment"]?.stringValue
    }
}
