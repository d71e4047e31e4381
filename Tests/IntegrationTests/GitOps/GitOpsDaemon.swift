import Foundation
import PvdifyModel
import Testing

/// A daemon (without Podman or Caddy: a sync writes desired state only) and the calls the GitOps tests make.
struct GitOpsDaemon {
    let daemon: DaemonProcess

    static func start() async throws -> GitOpsDaemon {
        let daemon = DaemonProcess(environment: ["PVDIFY_RATE_LIMIT": "100000"])
        try await daemon.start()
        return GitOpsDaemon(daemon: daemon)
    }

    func send(_ method: String, _ path: String, _ json: String? = nil, token: String? = nil) async throws -> (status: UInt, json: JSONValue) {
        let reply = try await HTTP.request(method, daemon.baseURL + path, token: token ?? daemon.adminToken, json: json)
        return (reply.status, (try? JSONValue.parse(json: Data(reply.body.utf8))) ?? .null)
    }

    /// Adds a source polling every second.
    func addSource(_ name: String, url: String, extra: String = "") async throws {
        let reply = try await send("POST", "/api/v1/sources", #"{"name":"\#(name)","url":"\#(url)","path":"apps","interval":"1s"\#(extra)}"#)
        #expect(reply.status == 201, "\(reply.json)")
    }

    func source(_ name: String) async throws -> JSONValue { try await send("GET", "/api/v1/sources/\(name)").json }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes; answers whether it held.
    func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    /// Waits until the source's last attempted revision is `revision` (nil: any) and its Ready reason is `reason`.
    @discardableResult
    func waitFor(_ source: String, revision: String?, reason: String) async throws -> JSONValue {
        var last: JSONValue = .null
        let reached = try await eventually {
            last = try await self.source(source)
            let status = last["status"]
            return (revision == nil || status?["last_attempted_revision"]?.stringValue == revision)
                && status?["conditions"]?[0]?["reason"]?.stringValue == reason
        }
        #expect(reached, "source \(source) never reached \(reason) at \(revision ?? "any revision"): \(last)\n\(daemon.log.suffix(3000))")
        return last
    }

    func appExists(_ name: String) async throws -> Bool { try await send("GET", "/api/v1/apps/\(name)").status == 200 }

    func cleanUp() { daemon.cleanUp() }
}
