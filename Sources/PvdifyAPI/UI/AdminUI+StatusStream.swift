import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PvdifyModel
import PvdifyStore

/// The UI's status stream: Server-Sent Events naming each app the session's token reaches when
/// it changes, so the apps list and an app's page fetch themselves again only when something moved.
extension AdminUI {
    /// Changes to one app within this window go out as one event.
    static let statusCoalescing: Duration = .milliseconds(500)

    /// What the status stream writes next.
    enum StatusItem: Sendable { case change(Change), flush, heartbeat }

    /// `GET /ui/events`: for a live session whose token has the read scope; held in one of the
    /// session's slots and one of the token's API stream slots, and ended as soon as the token is
    /// revoked or the session signs out (and, for expiry, checked before every write).
    @Sendable func statusStream(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let user = try await signedIn(request) else { return Response(status: .unauthorized) }
        guard user.token.allows(.read) else { return Response(status: .forbidden) }
        let headers: HTTPFields = [
            .contentType: "text/event-stream", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        if request.method == .head { return Response(status: .ok, headers: headers) }
        let sessionID = user.session.id
        let tokenKey = "token:\(user.token.id)"
        guard statusStreams.take(sessionID) else { return Self.tooManyStreams() }
        guard limiter.openStream(tokenKey) else {
            statusStreams.give(sessionID)
            return Self.tooManyStreams()
        }
        // Subscribed before the answer starts, so no change falls between the page and its stream.
        let changes = store.changes.subscribe()
        let ui = self
        let body = ResponseBody { writer in
            defer {
                ui.limiter.closeStream(tokenKey)
                ui.statusStreams.give(sessionID)
            }
            let (items, continuation) = AsyncStream.makeStream(of: StatusItem.self, bufferingPolicy: .bufferingNewest(10_000))
            let byToken = ui.streams.register(user.token.id) { continuation.finish() }
            let bySession = ui.streams.register(Self.sessionStreams(sessionID)) { continuation.finish() }
            defer {
                ui.streams.unregister(byToken)
                ui.streams.unregister(bySession)
            }
            // A revocation or sign-out between the check above and the registration found nothing to end.
            if try await !ui.stillSignedIn(user) { continuation.finish() }
            try await request.body.consumeWithInboundCloseHandler { _ in
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                try await ui.streamStatus(user, changes: changes, items: items, continuation: continuation, into: &writer)
            } onInboundClosed: {
                continuation.finish()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The key a session's streams are registered under, beside its token's id.
    static func sessionStreams(_ sessionID: String) -> String { "ui-session:\(sessionID)" }

    static func tooManyStreams() -> Response {
        Response(status: .tooManyRequests, headers: [.retryAfter: "5", .contentType: "text/plain; charset=utf-8"])
    }

    /// Writes one event per changed app at most every `statusCoalescing`, and heartbeats, until
    /// the browser goes, the session ends or its token no longer authenticates.
    func streamStatus(
        _ user: SignedIn, changes: AsyncStream<Change>, items: AsyncStream<StatusItem>,
        continuation: AsyncStream<StatusItem>.Continuation, into writer: inout any ResponseBodyWriter
    ) async throws {
        let forward = Task {
            for await change in changes { continuation.yield(.change(change)) }
            continuation.finish()
        }
        let heartbeat = settings.heartbeatInterval
        let beat = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: heartbeat)
                continuation.yield(.heartbeat)
            }
        }
        var flushTimer: Task<Void, Never>?
        defer {
            forward.cancel()
            beat.cancel()
            flushTimer?.cancel()
            continuation.finish()
        }
        var pending: [String: Change.Kind] = [:]
        var reach = UIAppReach(token: user.token, store: store)
        for await item in items {
            switch item {
            case .change(let change):
                guard change.kind != .source, await reach.reaches(change.app) else { continue }
                pending[change.app] = change.kind
                if flushTimer == nil {
                    flushTimer = Task {
                        try? await Task.sleep(for: Self.statusCoalescing)
                        continuation.yield(.flush)
                    }
                }
            case .flush:
                flushTimer = nil
                guard try await stillSignedIn(user) else { return }
                var buffer = ByteBuffer()
                for app in pending.keys.sorted() { buffer.writeString(Self.statusEvent(app: app, kind: pending[app]!)) }
                pending = [:]
                try await writer.write(buffer)
            case .heartbeat:
                guard try await stillSignedIn(user) else { return }
                try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
            }
        }
    }

    /// Whether the session is still open and its token still authenticates (not revoked, not expired).
    func stillSignedIn(_ user: SignedIn) async throws -> Bool {
        guard sessions.isLive(user.session.id) else { return false }
        return try await store.authenticate(secret: user.session.secret)?.id == user.token.id
    }

    /// One event: the app's name and what kind of change it was, nothing more. App names are
    /// checked names (lowercase letters, digits, hyphens), so they need no escaping in JSON.
    static func statusEvent(app: String, kind: Change.Kind) -> String {
        "event: app\ndata: {\"app\":\"\(app)\",\"change\":\"\(kind.rawValue)\"}\n\n"
    }
}

/// Which apps a token reaches, for a stream of changes that name only the app: a preview is
/// reached through the app it previews, looked up once per name.
struct UIAppReach {
    let token: APIToken
    let store: Store
    private var known: [String: Bool] = [:]

    init(token: APIToken, store: Store) {
        self.token = token
        self.store = store
    }

    /// Whether the token reaches `app` (a deleted app it was not limited to is not looked up).
    mutating func reaches(_ app: String) async -> Bool {
        if token.reaches(app: app, previewOf: nil) { return true }
        if let answer = known[app] { return answer }
        let previewOf = try? await store.app(app).app.previewOf
        let answer = token.reaches(app: app, previewOf: previewOf ?? nil)
        known[app] = answer
        return answer
    }
}
