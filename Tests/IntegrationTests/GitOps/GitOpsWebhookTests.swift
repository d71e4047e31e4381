import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import PvdifyModel
import Testing

/// Webhooks through the real daemon against a `file://` repository. The source polls once an
/// hour, so only the webhook can explain a sync: a signed push applies the new commit; a missing,
/// SHA-1-only or wrong signature, or a bearer token without one, is 401 and syncs nothing; the
/// same delivery again is 200 and syncs nothing; ping is 200 and other events 202.
@Suite(.serialized) struct GitOpsWebhookTests {
    static let secret = "integration-webhook-secret"

    /// Posts a delivery as GitHub does: the raw body, its event and delivery id, and `signature`.
    static func deliver(
        _ gitops: GitOpsDaemon, _ body: String, event: String = "push", delivery: String = UUID().uuidString,
        signature: String?, sha1: String? = nil, token: String? = nil
    ) async throws -> (status: UInt, json: JSONValue) {
        var request = HTTPClientRequest(url: gitops.daemon.baseURL + "/api/v1/sources/platform/webhook")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "GitHub-Hookshot/test")
        request.headers.add(name: "X-GitHub-Event", value: event)
        request.headers.add(name: "X-GitHub-Delivery", value: delivery)
        if let signature { request.headers.add(name: "X-Hub-Signature-256", value: signature) }
        if let sha1 { request.headers.add(name: "X-Hub-Signature", value: sha1) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (response.status.code, (try? JSONValue.parse(json: Data(text.utf8))) ?? .null)
    }

    static func sign(_ body: String, secret: String = secret) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func push(_ commit: String) -> String { #"{"ref":"refs/heads/main","after":"\#(commit)"}"# }

    @Test func onlyASignedPushSyncsAndOnlyOnce() async throws {
        let repo = try await GitFixture()
        let gitops = try await GitOpsDaemon.start()
        defer { gitops.cleanUp(); repo.cleanUp() }
        let first = try await repo.commit(["apps/web.yaml": GitFixture.app("web")])
        let added = try await gitops.send("POST", "/api/v1/sources", #"{"name":"platform","url":"\#(repo.url)","path":"apps","interval":"1h"}"#)
        #expect(added.status == 201, "\(added.json)")
        try await gitops.waitFor("platform", revision: first, reason: "Succeeded")
        #expect(try await gitops.send("POST", "/api/v1/sources/platform/credentials", #"{"webhook_secret":"\#(Self.secret)"}"#).status == 200)
        let settled = try await gitops.source("platform")["status"]

        let second = try await repo.commit(["apps/web.yaml": GitFixture.app("web", image: "127.0.0.1:5000/pvdify-test:v2")])
        let body = Self.push(second)
        #expect(try await Self.deliver(gitops, body, signature: nil).status == 401)
        #expect(try await Self.deliver(gitops, body, signature: nil, sha1: "sha1=0123456789abcdef0123456789abcdef01234567").status == 401)
        #expect(try await Self.deliver(gitops, body, signature: Self.sign(body, secret: "wrong")).status == 401)
        #expect(try await Self.deliver(gitops, body, signature: nil, token: gitops.daemon.adminToken).status == 401)
        #expect(try await Self.deliver(gitops, body, signature: Self.sign(body, secret: "wrong"), token: gitops.daemon.adminToken).status == 401)
        let ping = try await Self.deliver(gitops, "{}", event: "ping", signature: Self.sign("{}"))
        #expect(ping.status == 200 && ping.json["outcome"] == "pong", "\(ping.json)")
        let star = try await Self.deliver(gitops, "{}", event: "watch", signature: Self.sign("{}"))
        #expect(star.status == 202 && star.json["outcome"] == "ignored", "\(star.json)")
        // None of these synced: the last sync is still the first one.
        try await Task.sleep(for: .seconds(1))
        let untouched = try await gitops.source("platform")["status"]
        #expect(untouched?["last_sync_at"] == settled?["last_sync_at"] && untouched?["history"]?.arrayValue?.count == 1, "\(String(describing: untouched))")
        #expect(try await gitops.send("GET", "/api/v1/apps/web").json["image"] == "127.0.0.1:5000/pvdify-test:v1")

        let delivery = UUID().uuidString
        let accepted = try await Self.deliver(gitops, body, delivery: delivery, signature: Self.sign(body))
        #expect(accepted.status == 202 && accepted.json["outcome"] == "sync_requested", "\(accepted.json)")
        let synced = try await gitops.waitFor("platform", revision: second, reason: "Succeeded")
        #expect(synced["status"]?["history"]?.arrayValue?.count == 2)
        #expect(try await gitops.send("GET", "/api/v1/apps/web").json["image"] == "127.0.0.1:5000/pvdify-test:v2")

        // The same delivery again (a redelivery, or a replay): answered, no second sync.
        let replayed = try await Self.deliver(gitops, body, delivery: delivery, signature: Self.sign(body))
        #expect(replayed.status == 200 && replayed.json["outcome"] == "duplicate", "\(replayed.json)")
        try await Task.sleep(for: .seconds(2))
        let after = try await gitops.source("platform")["status"]
        #expect(after?["last_sync_at"] == synced["status"]?["last_sync_at"], "\(String(describing: after))")
        #expect(after?["history"]?.arrayValue?.count == 2)

        // Deliveries are in the audit log, without their bodies.
        let audit = try await gitops.send("GET", "/api/v1/audit?limit=1000").json["entries"]?.arrayValue ?? []
        let webhooks = audit.filter { $0["route"] == "/api/v1/sources/{source}/webhook" }
        #expect(webhooks.map { $0["status"]?.intValue ?? 0 }.sorted() == [200, 200, 202, 202, 401, 401, 401, 401, 401], "\(webhooks)")
        #expect(!String(decoding: JSONValue.array(audit).serialized(), as: UTF8.self).contains(second))
    }
}
