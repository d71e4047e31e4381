import Foundation
import Testing

@testable import PvdifyDrivers

@Suite struct PodmanSocketTests {
    let dataDirectory = URL(fileURLWithPath: "/var/lib/pvdify")

    @Test func aConfiguredSocketWins() {
        let socket = PodmanSocket.resolve(configured: "unix:///tmp/p.sock", dataDirectory: dataDirectory) { _ in true }
        #expect(socket == .external(path: "/tmp/p.sock"))
        #expect(PodmanSocket.resolve(configured: "/tmp/q.sock", dataDirectory: dataDirectory).path == "/tmp/q.sock")
    }

    @Test func theSystemSocketIsUsedWhenPresent() {
        let socket = PodmanSocket.resolve(configured: nil, dataDirectory: dataDirectory) { $0 == "/run/podman/podman.sock" }
        #expect(socket == .external(path: "/run/podman/podman.sock"))
    }

    @Test func otherwisePvdifydServesOneInItsDataDirectory() {
        let socket = PodmanSocket.resolve(configured: "", dataDirectory: dataDirectory) { _ in false }
        #expect(socket == .managed(path: "/var/lib/pvdify/podman.sock"))
    }
}
