import Foundation

extension ContainerSpec {
    /// The CFS period the CPU limit is expressed against (100 ms, Podman's own default).
    public static let cpuPeriod = 100_000

    /// The libpod SpecGenerator JSON for this spec, with sorted keys (stable for tests and diffs).
    public func specGeneratorJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Plain strings, numbers and maps: encoding cannot fail.
        return (try? encoder.encode(SpecGenerator(self))) ?? Data()
    }
}

/// The subset of libpod's SpecGenerator that pvdify sets.
private struct SpecGenerator: Encodable {
    struct Port: Encodable {
        let host_ip: String
        let host_port: Int
        let container_port: Int
        let `protocol` = "tcp"
    }
    struct Memory: Encodable { let limit: Int64 }
    struct CPU: Encodable {
        let quota: Int64
        let period: Int
    }
    struct Limits: Encodable {
        let memory: Memory?
        let cpu: CPU?
    }

    let name: String
    let image: String
    let command: [String]?
    let env: [String: String]
    let labels: [String: String]
    let portmappings: [Port]
    let resource_limits: Limits?
    let stop_timeout: Int?

    init(_ spec: ContainerSpec) {
        name = spec.name
        image = spec.image
        command = spec.command.map { ["/bin/sh", "-c", $0] }
        env = spec.env
        labels = spec.labels
        portmappings = spec.ports.map {
            Port(host_ip: $0.hostIP, host_port: $0.hostPort, container_port: $0.containerPort)
        }
        let memory = spec.memoryBytes.map(Memory.init(limit:))
        let cpu = spec.cpus.map { CPU(quota: Int64(($0 * Double(ContainerSpec.cpuPeriod)).rounded()), period: ContainerSpec.cpuPeriod) }
        resource_limits = (memory == nil && cpu == nil) ? nil : Limits(memory: memory, cpu: cpu)
        stop_timeout = spec.stopTimeout
    }
}
