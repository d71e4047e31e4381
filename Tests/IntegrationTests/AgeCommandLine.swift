import Foundation
import PvdifyModel
import PvdifyStore

/// Debian's `age` command, sealing values to a daemon's recipient as a user would.
enum AgeCommandLine {
    static let path = "/usr/bin/age"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Seals `value` with `age -r RECIPIENT -a`, through files only this test reads.
    static func seal(_ value: String, recipient: String, in directory: URL) async throws -> String {
        let plain = directory.appendingPathComponent("plain-\(UUID().uuidString)")
        let sealed = directory.appendingPathComponent("sealed-\(UUID().uuidString).age")
        try PrivateFile.write(value, to: plain)
        defer { try? FileManager.default.removeItem(at: plain) }
        try await GitFixture.run(path, ["-r", recipient, "-a", "-o", sealed.path, plain.path])
        return try String(contentsOf: sealed, encoding: .utf8)
    }

    /// The daemon's recipient, from `GET /api/v1/sealing-key`.
    static func recipient(_ daemon: DaemonProcess) async throws -> String {
        let reply = try await HTTP.request("GET", daemon.baseURL + "/api/v1/sealing-key", token: daemon.adminToken)
        guard reply.status == 200, let recipient = try JSONValue.parse(json: Data(reply.body.utf8))["recipient"]?.stringValue,
              recipient.hasPrefix("age1")
        else { throw DaemonError(message: "GET /api/v1/sealing-key answered \(reply.status): \(reply.body)") }
        return recipient
    }
}
