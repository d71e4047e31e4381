import Foundation
import Testing

@testable import PvdifyDrivers

/// The query as `key=value` strings, for exact comparisons.
func pairs(_ request: PodmanRequest) -> [String] {
    request.query.map { "\($0.0)=\($0.1)" }
}

@Suite struct PodmanRequestsTests {
    @Test func ping() {
        let request = PodmanRequests.ping()
        #expect(request.method == .get)
        #expect(request.path == "/v4.0.0/libpod/_ping")
        #expect(request.query.isEmpty)
        #expect(request.body == nil)
    }

    @Test func listContainersWithLabelFilters() {
        let request = PodmanRequests.listContainers(labelFilters: ["pvdify.app=web", "pvdify.process"])
        #expect(request.method == .get)
        #expect(request.path == "/v4.0.0/libpod/containers/json")
        #expect(pairs(request) == ["all=true", #"filters={"label":["pvdify.app=web","pvdify.process"]}"#])
        #expect(request.body == nil)
        #expect(
            request.target
                == "/v4.0.0/libpod/containers/json?all=true&filters=%7B%22label%22%3A%5B%22pvdify.app%3Dweb%22%2C%22pvdify.process%22%5D%7D"
        )
    }

    @Test func listContainersWithoutFilters() {
        let request = PodmanRequests.listContainers()
        #expect(pairs(request) == ["all=true"])
        #expect(request.target == "/v4.0.0/libpod/containers/json?all=true")
    }

    @Test func inspect() {
        let request = PodmanRequests.inspect("myapp.web.1")
        #expect(request.method == .get)
        #expect(request.path == "/v4.0.0/libpod/containers/myapp.web.1/json")
    }

    @Test func namesArePercentEncodedInPaths() {
        #expect(PodmanRequests.start("a b/c").path == "/v4.0.0/libpod/containers/a%20b%2Fc/start")
    }

    @Test func createContainer() throws {
        let spec = ContainerSpec(name: "myapp-web-1", image: "127.0.0.1:5000/hello:v1", command: "npm start")
        let request = PodmanRequests.createContainer(spec)
        #expect(request.method == .post)
        #expect(request.path == "/v4.0.0/libpod/containers/create")
        #expect(request.query.isEmpty)
        let body = try #require(request.body)
        #expect(
            String(decoding: body, as: UTF8.self)
                == #"{"command":["/bin/sh","-c","npm start"],"env":{},"image":"127.0.0.1:5000/hello:v1","labels":{},"name":"myapp-web-1","portmappings":[]}"#
        )
    }

    @Test func start() {
        let request = PodmanRequests.start("c1")
        #expect(request.method == .post)
        #expect(request.path == "/v4.0.0/libpod/containers/c1/start")
        #expect(request.query.isEmpty)
        #expect(request.body == nil)
    }

    @Test func stop() {
        let request = PodmanRequests.stop("c1", timeout: 5)
        #expect(request.method == .post)
        #expect(request.path == "/v4.0.0/libpod/containers/c1/stop")
        #expect(pairs(request) == ["timeout=5"])
        #expect(request.body == nil)
    }

    @Test func remove() {
        let forced = PodmanRequests.remove("c1", force: true)
        #expect(forced.method == .delete)
        #expect(forced.path == "/v4.0.0/libpod/containers/c1")
        #expect(pairs(forced) == ["force=true"])
        #expect(pairs(PodmanRequests.remove("c1", force: false)) == ["force=false"])
    }

    @Test func pullImage() {
        let request = PodmanRequests.pullImage("127.0.0.1:5000/hello:v1", tlsVerify: false)
        #expect(request.method == .post)
        #expect(request.path == "/v4.0.0/libpod/images/pull")
        #expect(pairs(request) == ["reference=127.0.0.1:5000/hello:v1", "tlsVerify=false", "policy=missing"])
        #expect(request.body == nil)
        #expect(request.target == "/v4.0.0/libpod/images/pull?reference=127.0.0.1%3A5000%2Fhello%3Av1&tlsVerify=false&policy=missing")
        let always = PodmanRequests.pullImage("r/x@sha256:ab", tlsVerify: true, policy: .always)
        #expect(pairs(always) == ["reference=r/x@sha256:ab", "tlsVerify=true", "policy=always"])
    }

    @Test func logs() {
        let plain = PodmanRequests.logs("c1", follow: false)
        #expect(plain.method == .get)
        #expect(plain.path == "/v4.0.0/libpod/containers/c1/logs")
        #expect(pairs(plain) == ["stdout=true", "stderr=true", "follow=false", "timestamps=false"])

        let since = Date(timeIntervalSince1970: 1_795_916_584.25)
        let full = PodmanRequests.logs("c1", follow: true, since: since, tail: 100, timestamps: true)
        #expect(
            pairs(full) == [
                "stdout=true", "stderr=true", "follow=true", "timestamps=true", "since=1795916584.250000000", "tail=100",
            ])
    }

    @Test func unixTimeKeepsNanosecondDigits() {
        #expect(PodmanRequests.unixTime(Date(timeIntervalSince1970: 12)) == "12.000000000")
        #expect(PodmanRequests.unixTime(Date(timeIntervalSince1970: 12.5)) == "12.500000000")
    }

    @Test func events() {
        let request = PodmanRequests.events(labelFilters: ["pvdify.app"])
        #expect(request.method == .get)
        #expect(request.path == "/v4.0.0/libpod/events")
        #expect(pairs(request) == ["stream=true", #"filters={"label":["pvdify.app"],"type":["container"]}"#])
        #expect(pairs(PodmanRequests.events()) == ["stream=true", #"filters={"type":["container"]}"#])
        let since = PodmanRequests.events(since: Date(timeIntervalSince1970: 100))
        #expect(pairs(since) == ["stream=true", #"filters={"type":["container"]}"#, "since=100.000000000"])
    }

    @Test func percentEncodingLeavesOnlyUnreservedCharacters() {
        #expect(PercentEncoding.encode("aZ09-._~") == "aZ09-._~")
        #expect(PercentEncoding.encode("/run/podman/podman.sock") == "%2Frun%2Fpodman%2Fpodman.sock")
        #expect(PercentEncoding.encode("é =&") == "%C3%A9%20%3D%26")
    }

    @Test func transportURLPutsTheEncodedSocketInTheHost() async throws {
        let transport = PodmanTransport(socketPath: "/tmp/p d/podman.sock")
        #expect(transport.url(for: PodmanRequests.ping()) == "http+unix://%2Ftmp%2Fp%20d%2Fpodman.sock/v4.0.0/libpod/_ping")
        try await transport.shutdown()
    }
}
