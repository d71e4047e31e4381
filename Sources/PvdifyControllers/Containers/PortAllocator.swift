import Foundation

/// Hands out 127.0.0.1 host ports for web instances from a fixed range, never one that a pvdify
/// container holds or that something else is listening on.
public actor PortAllocator {
    /// Below Linux's ephemeral range (32768-60999), so outgoing connections never hold one.
    public static let defaultRange = 10_000...19_999

    let range: ClosedRange<Int>
    private var taken: Set<Int> = []
    /// Ports handed out lately, whose containers a list may not show yet.
    private var handedOut: [Int: ContinuousClock.Instant] = [:]
    private var cursor: Int
    /// How long a port handed out stays reserved without a container seen holding it.
    let handoutGrace: Duration

    init(range: ClosedRange<Int> = PortAllocator.defaultRange, handoutGrace: Duration = .seconds(60)) {
        self.range = range
        self.handoutGrace = handoutGrace
        cursor = range.lowerBound
    }

    /// Marks ports that observed containers hold.
    func reserve(_ ports: some Sequence<Int>) { taken.formUnion(ports) }

    /// Replaces the reservations with the ports that all observed containers hold (plus the ports
    /// handed out lately), so ports of containers that went without pvdify removing them come back.
    func reserveOnly(_ ports: some Sequence<Int>) {
        let now = ContinuousClock.now
        handedOut = handedOut.filter { now - $0.value < handoutGrace }
        taken = Set(ports).union(handedOut.keys)
    }

    func release(_ port: Int) {
        taken.remove(port)
        handedOut[port] = nil
    }

    /// How many ports are reserved (for tests).
    var reservedCount: Int { taken.count }

    func allocate() throws -> Int {
        for _ in range {
            let port = cursor
            cursor = cursor == range.upperBound ? range.lowerBound : cursor + 1
            if !taken.contains(port), Self.isFree(port) {
                taken.insert(port)
                handedOut[port] = ContinuousClock.now
                return port
            }
        }
        throw AllocationError()
    }

    struct AllocationError: Error, CustomStringConvertible {
        var description: String { "no free host port left for web instances" }
    }

    /// Whether nothing listens on 127.0.0.1:port (a bind succeeds).
    static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
