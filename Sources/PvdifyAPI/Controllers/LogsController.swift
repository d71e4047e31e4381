import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PvdifyModel
import PvdifyStore

/// `/apps/{name}/logs`: the last lines as JSON, or with `follow=true` a Server-Sent Events stream.
struct LogsController {
    let services: APIServices

    static let maxLines = 10_000

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/apps/{name}/logs", scope: .read, logs)
    }

    struct Query {
        var lines = 100
        var process: String?
        var since: Date?
        var follow = false
    }

    static func parse(_ request: Request) throws -> Query {
        var query = Query()
        let parameters = request.uri.queryParameters
        if let text = parameters["lines"].map(String.init) {
            guard let lines = Int(text), (1...maxLines).contains(lines) else {
                throw APIError.invalid("must be an integer between 1 and \(maxLines)", field: "lines")
            }
            query.lines = lines
        }
        if let process = parameters["process"].map(String.init), !process.isEmpty {
            let parts = process.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, Rules.appName(String(parts[0])) == nil,
                  parts.count == 1 || Int(parts[1]).map({ $0 > 0 }) == true
            else { throw APIError.invalid("must be a process type like web, or an instance like web.1", field: "process") }
            query.process = process
        }
        if let text = parameters["since"].map(String.init) {
            guard let since = Timestamps.parse(text) else {
                throw APIError.invalid("must be an RFC 3339 time like 2026-01-05T11:00:00Z", field: "since")
            }
            query.since = since
        }
        if let text = parameters["follow"].map(String.init) {
            switch text.lowercased() {
            case "true", "1", "yes": query.follow = true
            case "false", "0", "no", "": query.follow = false
            default: throw APIError.invalid("must be true or false", field: "follow")
            }
        }
        return query
    }

    @Sendable func logs(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = context.parameter("name")
        let query = try Self.parse(request)
        _ = try await services.store.app(name)
        guard query.follow else {
            let lines = services.logs.lines(name, limit: query.lines, process: query.process, since: query.since)
            return try .json(["lines": .array(lines.map(Present.logLine))])
        }
        let headers: HTTPFields = [
            .contentType: "text/event-stream", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        // HEAD learns the stream's headers without holding one of the token's stream slots.
        if request.method == .head { return Response(status: .ok, headers: headers) }
        let key = context.rateLimitKey
        guard services.limiter.openStream(key) else {
            var error = APIError(
                .tooManyRequests, "rate_limited",
                "At most \(services.limiter.concurrentStreams) log streams may be open at once per token")
            error.headers[.retryAfter] = "5"
            throw error
        }
        // Subscribe before reading the backlog so no line falls between them.
        let live = services.logs.follow(name)
        let backlog = services.logs.lines(name, limit: query.lines, process: query.process, since: query.since)
        let limiter = services.limiter
        let heartbeat = services.settings.heartbeatInterval
        let streams = services.streams
        let store = services.store
        let token = context.token
        let body = ResponseBody { writer in
            defer { limiter.closeStream(key) }
            let (items, ending) = AsyncStream.makeStream(of: StreamItem.self, bufferingPolicy: .bufferingNewest(1_000))
            // The stream also ends when its token is revoked or expires, and as soon as the client
            // goes (its side of the connection closes), so its slot is free again at once.
            let registration = token.map { streams.register($0.id) { ending.finish() } }
            defer { if let registration { streams.unregister(registration) } }
            // A revocation that came between authentication and registration found nothing to end.
            if let token, try await !store.tokenExists(id: token.id) { ending.finish() }
            try await request.body.consumeWithInboundCloseHandler { _ in
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                for line in backlog { try await writer.write(Self.event(line)) }
                try await Self.stream(
                    live, filter: query.process, heartbeat: heartbeat, until: token?.expiresAt, items: items, ending: ending,
                    into: &writer)
            } onInboundClosed: {
                ending.finish()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// What a log stream writes next.
    enum StreamItem: Sendable { case line(LogLine), heartbeat }

    /// Writes live lines and heartbeats until the log stream ends, `ending` is finished (revoked
    /// token, client gone), the token expires (`until`), or a write fails.
    static func stream(
        _ live: AsyncStream<LogLine>, filter: String?, heartbeat: Duration, until expiry: Date?,
        items: AsyncStream<StreamItem>, ending continuation: AsyncStream<StreamItem>.Continuation,
        into writer: inout any ResponseBodyWriter
    ) async throws {
        let forward = Task {
            for await line in live where line.matches(process: filter) { continuation.yield(.line(line)) }
            continuation.finish()
        }
        let beat = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: heartbeat)
                continuation.yield(.heartbeat)
            }
        }
        let expire = Task {
            guard let expiry else { return }
            try await Task.sleep(for: .milliseconds(max(0, Int(expiry.timeIntervalSinceNow * 1000))))
            continuation.finish()
        }
        defer {
            forward.cancel()
            beat.cancel()
            expire.cancel()
            continuation.finish()
        }
        for await item in items {
            switch item {
            case .line(let line): try await writer.write(event(line))
            case .heartbeat: try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
            }
        }
    }

    static func event(_ line: LogLine) -> ByteBuffer {
        let data = Present.logLine(line).serialized()
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(data)
        buffer.writeString("\n\n")
        return buffer
    }
}
