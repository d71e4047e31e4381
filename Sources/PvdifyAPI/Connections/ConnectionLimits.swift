/// How many connections the API accepts and how long it waits for a client, so that idle or slow
/// clients cannot hold the daemon's sockets and file descriptors.
public struct ConnectionLimits: Sendable, Equatable {
    /// Open connections in total; past it, new ones wait in the listen backlog.
    public var maxConnections: Int
    /// Open connections from one client address; past it, new ones are closed at once.
    public var maxConnectionsPerClient: Int
    /// Time from a request's first byte to the end of its head (request line and headers).
    public var headerTimeout: Duration
    /// Longest wait for more of a request body.
    public var bodyTimeout: Duration
    /// Time a keep-alive connection may stay open with no request.
    public var idleTimeout: Duration

    /// The defaults pvdifyd runs with.
    public init(
        maxConnections: Int = 2048, maxConnectionsPerClient: Int = 128, headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60)
    ) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerClient = maxConnectionsPerClient
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
    }
}
