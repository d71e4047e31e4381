import Foundation
import Testing

@testable import PvdifyDrivers

/// Podman's and Caddy's request values become calls for the one executor; the calls are pure values.
@Suite struct HTTPCallTests {
    func header(_ call: HTTPCall, _ name: String) -> String? {
        call.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    @Test func podmanCallsGoToTheSocketWithAHostHeader() {
        let transport = PodmanTransport(socketPath: "/run/pvdify test/podman.sock")
        defer { Task { try? await transport.shutdown() } }
        let call = transport.call(for: PodmanRequests.start("pvdify-web-1"))
        #expect(call.method == "POST")
        #expect(call.url == "http+unix://%2Frun%2Fpvdify%20test%2Fpodman.sock/v4.0.0/libpod/containers/pvdify-web-1/start")
        #expect(header(call, "Host") == "podman")
        #expect(header(call, "Content-Type") == nil)
        let ping = transport.call(for: PodmanRequests.ping())
        #expect(ping.method == "GET" && ping.body == nil)
    }

    @Test func caddyCallsCarryTheirHeadersInAStableOrder() {
        let client = CaddyClient(baseURL: URL(string: "http://127.0.0.1:2019/")!)
        let call = client.call(for: CaddyRequests.replaceConfig(Data("{}".utf8), etag: #""/config/ 0a1b2c3d""#))
        #expect(call.method == "PATCH")
        #expect(call.url == "http://127.0.0.1:2019/config/")
        #expect(call.headers.map(\.name) == ["Content-Type", "If-Match"])
        #expect(header(call, "If-Match") == #""/config/ 0a1b2c3d""#)
        #expect(call.body == Data("{}".utf8))
    }
}
