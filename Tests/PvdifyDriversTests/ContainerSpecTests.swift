import Foundation
import Testing

@testable import PvdifyDrivers

@Suite struct ContainerSpecTests {
    /// The body as a JSON object, for field-by-field checks.
    func json(_ spec: ContainerSpec) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: spec.specGeneratorJSON()) as? [String: Any])
    }

    @Test func everyFieldIsMapped() throws {
        let spec = ContainerSpec(
            name: "myapp-web-1", image: "127.0.0.1:5000/hello:v2", command: "bin/web --port $PORT",
            env: ["PORT": "3000", "GREETING": "hi"], labels: ["pvdify.app": "myapp", "pvdify.process": "web"],
            ports: [.init(hostPort: 20001, containerPort: 3000)], memoryBytes: 536_870_912, cpus: 0.5, stopTimeout: 5)
        let expected = """
            {"command":["/bin/sh","-c","bin/web --port $PORT"],"env":{"GREETING":"hi","PORT":"3000"},\
            "image":"127.0.0.1:5000/hello:v2","labels":{"pvdify.app":"myapp","pvdify.process":"web"},"name":"myapp-web-1",\
            "portmappings":[{"container_port":3000,"host_ip":"127.0.0.1","host_port":20001,"protocol":"tcp"}],\
            "resource_limits":{"cpu":{"period":100000,"quota":50000},"memory":{"limit":536870912}},"stop_timeout":5}
            """
        #expect(String(decoding: spec.specGeneratorJSON(), as: UTF8.self) == expected)
    }

    @Test func noCommandMeansTheImagesOwn() throws {
        let body = try json(ContainerSpec(name: "a", image: "i"))
        #expect(body["command"] == nil)
        #expect(body["resource_limits"] == nil)
        #expect(body["stop_timeout"] == nil)
    }

    @Test func memoryAloneOmitsCPU() throws {
        let body = try json(ContainerSpec(name: "a", image: "i", memoryBytes: 1024))
        let limits = try #require(body["resource_limits"] as? [String: Any])
        #expect(limits["cpu"] == nil)
        #expect((limits["memory"] as? [String: Any])?["limit"] as? Int == 1024)
    }

    @Test func cpuQuotaIsCoresTimesPeriod() throws {
        let body = try json(ContainerSpec(name: "a", image: "i", cpus: 1.5))
        let cpu = try #require((body["resource_limits"] as? [String: Any])?["cpu"] as? [String: Any])
        #expect(cpu["quota"] as? Int == 150_000)
        #expect(cpu["period"] as? Int == 100_000)
    }
}
