import AsyncHTTPClient
import Foundation
import NIOCore

/// Requests with any body and content type, for hostile input, and the daemon's peak memory.
enum HostileRequest {
    /// Sends `body` as `contentType`; a generous timeout, so a slow answer fails on its status, not a hang.
    static func send(
        _ method: String, _ url: String, token: String?, body: String, contentType: String, timeout: Int64 = 30
    ) async throws -> HTTP.Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
        let collected = try await response.body.collect(upTo: 4 << 20)
        return HTTP.Reply(
            status: response.status.code, body: String(buffer: collected), headers: response.headers.map { ($0.name, $0.value) })
    }

    /// The 494-byte YAML alias bomb of the issue: `levels` lists, each holding nine aliases of the
    /// previous one (9^levels strings once expanded).
    static func aliasBomb(levels: Int) -> String {
        var text = "x0: &a0 [" + Array(repeating: "\"lol\"", count: 9).joined(separator: ", ") + "]\n"
        for level in 1..<levels {
            text += "x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        return text
    }

    /// Peak resident memory of a process in KiB (`VmHWM` in /proc/<pid>/status).
    static func peakMemoryKiB(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
    }
}

extension HTTP.Reply {
    /// A response header's value (case-insensitive name).
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}
