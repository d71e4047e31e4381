import AsyncHTTPClient
import Foundation
import NIOCore

/// Checks a web instance: HTTP GET on 127.0.0.1:<host port><path>, healthy on 2xx.
public protocol HealthProbe: Sendable {
    /// nil when healthy, else what went wrong (`answered 500`, `connection refused`).
    func check(port: Int, path: String, timeout: Duration) async -> String?
}

/// `HealthProbe` over AsyncHTTPClient, on loopback only.
public struct HTTPHealthProbe: HealthProbe {
    let client: HTTPClient

    public init(client: HTTPClient = .shared) { self.client = client }

    public func check(port: Int, path: String, timeout: Duration) async -> String? {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.headers.add(name: "User-Agent", value: "pvdify-healthcheck")
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code) ? nil : "answered \(response.status.code)"
        } catch {
            return "\(error)".split(separator: "\n").first.map(String.init) ?? "failed"
        }
    }
}
