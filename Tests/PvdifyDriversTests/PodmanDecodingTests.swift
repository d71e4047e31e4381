import Foundation
import Testing

@testable import PvdifyDrivers

/// Answers recorded from Podman 4.3.1 on a machine of the project's kind.
@Suite struct PodmanDecodingTests {
    static let listAnswer = #"""
        [{"AutoRemove":false,"Command":["/app/run.sh"],"Created":"2026-11-29T01:41:47.012090088Z","CreatedAt":"",
        "Exited":false,"ExitedAt":-62135596800,"ExitCode":0,"Id":"c13d9a03","Image":"127.0.0.1:5000/pvdify-test:v1",
        "ImageID":"9821686a","IsInfra":false,"Labels":{"pvdify.app":"probe","pvdify.process":"web"},"Mounts":[],
        "Names":["pvdify-probe-1"],"Namespaces":{},"Networks":["podman"],"Pid":22416,"Pod":"","PodName":"",
        "Ports":[{"host_ip":"127.0.0.1","container_port":3000,"host_port":18090,"range":1,"protocol":"tcp"}],
        "Size":null,"StartedAt":1795916507,"State":"running","Status":""},
        {"Id":"d1","Names":["old"],"Labels":null,"Ports":null,"State":"exited","ExitCode":137,"StartedAt":0,
        "ExitedAt":1795916600,"Image":"x"}]
        """#

    @Test func containerList() throws {
        let list = try JSONDecoder().decode([ContainerSummary].self, from: Data(Self.listAnswer.utf8))
        #expect(list.count == 2)
        let web = list[0]
        #expect(web.id == "c13d9a03")
        #expect(web.name == "pvdify-probe-1")
        #expect(web.labels == ["pvdify.app": "probe", "pvdify.process": "web"])
        #expect(web.isRunning)
        #expect(web.hostPorts == [18090])
        #expect(web.ports == [.init(hostIP: "127.0.0.1", hostPort: 18090, containerPort: 3000, protocol: "tcp")])
        #expect(web.exitCode == 0)
        #expect(web.startedAt == Date(timeIntervalSince1970: 1_795_916_507))
        #expect(web.exitedAt == nil)
        let old = list[1]
        #expect(old.labels.isEmpty && old.ports.isEmpty)
        #expect(old.state == "exited" && !old.isRunning)
        #expect(old.exitCode == 137)
        #expect(old.startedAt == nil)
        #expect(old.exitedAt == Date(timeIntervalSince1970: 1_795_916_600))
    }

    @Test func inspection() throws {
        let answer = #"""
            {"Id":"3bac16","Name":"pvdify-probe-2","ImageName":"127.0.0.1:5000/pvdify-test:v1","RestartCount":0,
            "State":{"OciVersion":"1.0.2-dev","Status":"exited","Running":false,"OOMKilled":true,"Pid":0,"ExitCode":137,
            "Error":"","StartedAt":"2026-11-29T01:41:52.854468150Z","FinishedAt":"0001-01-01T00:00:00Z"},
            "Config":{"Labels":{"pvdify.app":"probe"}}}
            """#
        let inspection = try JSONDecoder().decode(ContainerInspection.self, from: Data(answer.utf8))
        #expect(inspection.name == "pvdify-probe-2")
        #expect(inspection.imageName == "127.0.0.1:5000/pvdify-test:v1")
        #expect(inspection.labels == ["pvdify.app": "probe"])
        #expect(inspection.state.status == "exited")
        #expect(inspection.state.oomKilled)
        #expect(inspection.state.exitCode == 137)
        let started = try #require(inspection.state.startedAt)
        #expect(abs(started.timeIntervalSince1970 - 1_795_916_512.854468150) < 0.000_01)
        #expect(inspection.state.finishedAt == nil)
    }

    @Test func event() throws {
        let line = #"""
            {"status":"died","id":"c13d","from":"127.0.0.1:5000/pvdify-test:v1","Type":"container","Action":"died",
            "Actor":{"ID":"c13d","Attributes":{"containerExitCode":"3","image":"127.0.0.1:5000/pvdify-test:v1",
            "name":"pvdify-probe-1","podId":"","pvdify.app":"probe"}},"scope":"local","time":1795916511,
            "timeNano":1795916511968862069}
            """#
        let event = try JSONDecoder().decode(PodmanEvent.self, from: Data(line.utf8))
        #expect(event.type == "container")
        #expect(event.action == "died")
        #expect(event.actor.id == "c13d")
        #expect(event.name == "pvdify-probe-1")
        #expect(event.exitCode == 3)
        #expect(event.actor.attributes["pvdify.app"] == "probe")
        #expect(event.timeNano == 1_795_916_511_968_862_069)
        #expect(abs(event.time.timeIntervalSince1970 - 1_795_916_511.968862069) < 0.001)
    }

    @Test func nameInUseIsA500WithACause() throws {
        let body = #"""
            {"cause":"that name is already in use","message":"creating container storage: the container name \"pvdify-probe-1\" is already in use by c13d. You have to remove that container to be able to reuse that name: that name is already in use","response":500}
            """#
        let error = PodmanTransport.error(status: 500, body: .init(string: body))
        #expect(error.status == 500)
        #expect(error.isNameInUse)
        #expect(!error.isNotFound)
        #expect(error.cause == "that name is already in use")
    }

    @Test func noSuchContainerIsNotFound() {
        let body = #"{"cause":"no such container","message":"no container with name or ID \"x\" found: no such container","response":404}"#
        let error = PodmanTransport.error(status: 404, body: .init(string: body))
        #expect(error.isNotFound)
        #expect(!error.isNameInUse)
    }

    @Test func unknownImageOnCreateIsNotFound() {
        let body = #"{"cause":"image not known","message":"127.0.0.1:5000/nope:v1: image not known","response":500}"#
        let error = PodmanTransport.error(status: 500, body: .init(string: body))
        #expect(error.isNotFound)
        #expect(error.isImageNotFound)
    }

    @Test func nonJSONErrorKeepsTheText() {
        let error = PodmanTransport.error(status: 400, body: .init(string: "missing required Host header"))
        #expect(error == PodmanError(status: 400, cause: "", message: "missing required Host header"))
    }

    @Test func pullReports() throws {
        let progress = try JSONDecoder().decode(PullReport.self, from: Data(#"{"stream":"Copying blob sha256:d5\n"}"#.utf8))
        #expect(progress.stream == "Copying blob sha256:d5\n")
        let done = try JSONDecoder().decode(PullReport.self, from: Data(#"{"images":["1ce1"],"id":"1ce1"}"#.utf8))
        #expect(done.id == "1ce1" && done.error == nil)
        let failed = try JSONDecoder().decode(PullReport.self, from: Data(#"{"error":"reading manifest nope: manifest unknown"}"#.utf8))
        #expect(failed.error == "reading manifest nope: manifest unknown")
    }

    @Test func rfc3339() throws {
        #expect(RFC3339.parse("2026-11-29T01:41:47Z") == Date(timeIntervalSince1970: 1_795_916_507))
        let nano = try #require(RFC3339.parse("2026-11-29T01:41:47.123456789+01:00"))
        #expect(abs(nano.timeIntervalSince1970 - (1_795_916_507.123456789 - 3600)) < 0.000_001)
        #expect(RFC3339.parse("yesterday") == nil)
        #expect(RFC3339.parseNonZero("0001-01-01T00:00:00Z") == nil)
    }
}
