import AsyncHTTPClient
import Foundation
import NIOCore
import PvdifyModel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A real pvdifyd for the auth hardening tests, with an admin token and JSON helpers.
struct AuthDaemon {
    let daemon: DaemonProcess
    let admin: String

    /// Starts pvdifyd without Podman and Caddy; the request limit is raised (tests send many
    /// requests) but the deploy and log stream limits are the API's own.
    static func start(extraArguments: [String] = []) async throws -> AuthDaemon {
        let daemon = DaemonProcess(arguments: ["--podman-socket", "off", "--rate-limit", "100000"] + extraArguments)
        try await daemon.start()
        return AuthDaemon(daemon: daemon, admin: daemon.adminToken)
    }

    var api: String { daemon.baseURL + "/api/v1" }

    /// Sends a request (with the admin token unless told otherwise) and returns status and JSON.
    @discardableResult
    func send(_ method: String, _ path: String, token: String? = nil, json: String? = nil) async throws -> (status: UInt, json: JSONValue) {
        let reply = try await HTTP.request(method, api + path, token: token ?? admin, json: json)
        return (reply.status, (try? JSONValue.parse(json: Data(reply.body.utf8))) ?? .null)
    }

    /// Creates a token; returns its id and secret.
    func createToken(_ name: String, scopes: [String], apps: [String]? = nil, extra: String = "") async throws -> (id: String, secret: String) {
        let scopeList = scopes.map { "\"\($0)\"" }.joined(separator: ",")
        let appList = apps.map { ",\"apps\":[" + $0.map { "\"\($0)\"" }.joined(separator: ",") + "]" } ?? ""
        let reply = try await send("POST", "/tokens", json: #"{"name":"\#(name)","scopes":[\#(scopeList)]\#(appList)\#(extra)}"#)
        guard reply.status == 201, let id = reply.json["id"]?.stringValue, let secret = reply.json["token"]?.stringValue else {
            throw DaemonError(message: "creating token \(name): \(reply.status) \(reply.json)")
        }
        return (id, secret)
    }

    func stop() async {
        _ = try? await daemon.stop()
        daemon.cleanUp()
    }
}

/// One HTTP/1.1 request on a plain socket, read as it arrives: lets a test hold a log stream open
/// and then drop it by closing the socket, as a client that goes away does.
final class RawHTTPStream: @unchecked Sendable {
    private let descriptor: Int32
    private(set) var received = ""
    private(set) var closedByServer = false

    init(port: Int, path: String, token: String) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw DaemonError(message: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw DaemonError(message: "connect() failed")
        }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n\r\n"
        let bytes = Array(request.utf8)
        guard send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
            Glibc.close(descriptor)
            throw DaemonError(message: "send() failed")
        }
    }

    /// The response's status code, once its first line has arrived.
    var status: Int? {
        guard let line = received.split(separator: "\r\n", maxSplits: 1).first, line.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(line.dropFirst(9).prefix(3))
    }

    /// Whether the response is over: its last chunk arrived, or the server closed the connection.
    var ended: Bool { closedByServer || received.contains("\r\n0\r\n\r\n") }

    /// Reads what has arrived, without waiting.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while !closedByServer {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                received += String(decoding: buffer[0..<count], as: UTF8.self)
            } else if count == 0 {
                closedByServer = true
            } else {
                return
            }
        }
    }

    /// Reads until `condition` holds or `timeout` passes; true if it holds.
    func wait(timeout: Duration, until condition: (RawHTTPStream) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            drain()
            if condition(self) { return true }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private var open = true

    /// Drops the connection, as a client that goes away does.
    func close() {
        guard open else { return }
        open = false
        Glibc.close(descriptor)
    }

    deinit { close() }
}

/// A flag one task sets and others poll.
final class StopFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

/// An HTTP client with room for many connections to one host, so concurrent uses of a token
/// really reach the daemon at the same time (the shared client keeps at most 8 per host).
enum BusyClient {
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The status of one request.
    static func status(_ method: String, _ url: String, token: String, json: String? = nil) async throws -> UInt {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.status.code
    }
}
