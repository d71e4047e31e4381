import Crypto
import Foundation
import HTTPTypes
import PvdifyModel
import PvdifyStore
import Synchronization
import Testing
@testable import PvdifyAPI

/// `POST /sources/{source}/webhook`: no token, a signature made with the source's webhook secret,
/// one answer for every refusal, repeated deliveries, events other than push, and the audit log.
@Suite struct SourceWebhookAPITests {
    static let secret = "whsec-test-value-42"
    static let push = #"{"ref":"refs/heads/main","after":"0123456789abcdef0123456789abcdef01234567"}"#

    static func signature(_ body: String, secret: String = secret) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func github(_ event: String, delivery: String? = UUID().uuidString, signature: String?) -> HTTPFields {
        var headers: HTTPFields = [HTTPField.Name("X-GitHub-Event")!: event]
        if let delivery { headers[HTTPField.Name("X-GitHub-Delivery")!] = delivery }
        if let signature { headers[HTTPField.Name("X-Hub-Signature-256")!] = signature }
        return headers
    }

    /// A source `platform` with a webhook secret, and one `bare` without.
    static func sources(_ api: APIClient) async throws {
        #expect(try await api.post("/api/v1/sources", SourcesAPITests.create).status == .created)
        #expect(try await api.post("/api/v1/sources", #"{"name":"bare","url":"file:///srv/bare.git"}"#).status == .created)
        let set = try await api.post("/api/v1/sources/platform/credentials", #"{"webhook_secret":"\#(secret)"}"#)
        #expect(set.json["credentials"] == ["webhook_secret"], "\(set.text)")
    }

    static func deliver(
        _ api: APIClient, source: String = "platform", body: String = push, headers: HTTPFields, auth: APIClient.Auth = .none
    ) async throws -> APIClient.Reply {
        try await api.send(.post, "/api/v1/sources/\(source)/webhook", json: body, auth: auth, headers: headers)
    }

    @Test func theSignatureFromGitHubsDocumentationVerifies() throws {
        // The example in GitHub's "Validating webhook deliveries".
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        let proof = try WebhookProof.read([HTTPField.Name("X-Hub-Signature-256")!: header]).get()
        #expect(proof.verifies(Data("Hello, World!".utf8), secret: "It's a Secret to Everybody"))
        #expect(!proof.verifies(Data("Hello, World!".utf8), secret: "It's a secret to everybody"))
        #expect(!proof.verifies(Data("Hello, World?".utf8), secret: "It's a Secret to Everybody"))
        #expect(!proof.verifies(Data("Hello, World!".utf8), secret: nil))
        for malformed in ["757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "sha256=757107ea", "sha1=757107ea",
                          "sha256=" + String(repeating: "g", count: 64), ""] {
            #expect(WebhookProof.read([HTTPField.Name("X-Hub-Signature-256")!: malformed]) == .failure(.none), "\(malformed)")
        }
        #expect(WebhookProof.read([HTTPField.Name("X-Hub-Signature")!: "sha1=0123"]) == .failure(.sha1Only))
        #expect(WebhookProof.read([:]) == .failure(.none))
        let gitlab = try WebhookProof.read([HTTPField.Name("X-Gitlab-Token")!: "tok"]).get()
        #expect(gitlab.verifies(Data(), secret: "tok"))
        #expect(!gitlab.verifies(Data(), secret: "tok2") && !gitlab.verifies(Data(), secret: nil))
    }

    @Test func deliveriesAreRememberedWithinABound() {
        let deliveries = WebhookDeliveries(perSource: 3, maxSources: 2)
        #expect(deliveries.remember("a", for: "s1"))
        #expect(!deliveries.remember("a", for: "s1"))
        #expect(deliveries.remember("a", for: "s2"))
        for id in ["b", "c", "d"] { #expect(deliveries.remember(id, for: "s1")) }
        // "a" fell out of s1's last three; seen again, it counts as new.
        #expect(deliveries.remember("a", for: "s1"))
        #expect(!deliveries.remember("d", for: "s1"))
        deliveries.forget("d", for: "s1")
        #expect(deliveries.remember("d", for: "s1"))
        // A third source pushes out the one used least recently (s2).
        #expect(deliveries.remember("x", for: "s3"))
        #expect(deliveries.remember("a", for: "s2"))
    }

    /// A delivery is handled once; a repeat gets the duplicate answer; one whose handling failed
    /// is forgotten, so its redelivery is handled; one without an id is always handled.
    @Test func aDeliveryIsHandledOnceUnlessItFailed() async throws {
        let deliveries = WebhookDeliveries()
        struct Failed: Error {}
        let handled = Mutex(0)
        func deliver(_ id: String?, failing: Bool = false) async throws -> String {
            try await deliveries.once(id, for: "s") { "duplicate" } _: {
                handled.withLock { $0 += 1 }
                if failing { throw Failed() }
                return "handled"
            }
        }
        #expect(try await deliver("a") == "handled")
        #expect(try await deliver("a") == "duplicate")
        await #expect(throws: Failed.self) { try await deliver("b", failing: true) }
        #expect(try await deliver("b") == "handled")
        #expect(try await deliver(nil) == "handled")
        #expect(try await deliver(nil) == "handled")
        #expect(handled.withLock { $0 } == 5)
    }

    @Test func aSignedPushAsksForASyncWithoutAToken() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await Self.sources(api)
            let delivery = UUID().uuidString
            let pushed = try await Self.deliver(api, headers: Self.github("push", delivery: delivery, signature: Self.signature(Self.push)))
            #expect(pushed.status == .accepted, "\(pushed.text)")
            #expect(pushed.json["outcome"] == "sync_requested" && pushed.json["delivery"] == .string(delivery))
            let requested = try await api.get("/api/v1/sources/platform").json["sync_requested_at"]
            #expect(requested?.stringValue != nil && requested == pushed.json["requested_at"])

            // The same delivery again: answered, nothing asked.
            let again = try await Self.deliver(api, headers: Self.github("push", delivery: delivery, signature: Self.signature(Self.push)))
            #expect(again.status == .ok && again.json["outcome"] == "duplicate", "\(again.text)")
            #expect(try await api.get("/api/v1/sources/platform").json["sync_requested_at"] == requested)

            let ping = try await Self.deliver(api, body: "{}", headers: Self.github("ping", signature: Self.signature("{}")))
            #expect(ping.status == .ok && ping.json["outcome"] == "pong", "\(ping.text)")
            let issue = try await Self.deliver(api, body: "{}", headers: Self.github("issues", signature: Self.signature("{}")))
            #expect(issue.status == .accepted && issue.json["outcome"] == "ignored", "\(issue.text)")
            let elsewhere = #"{"ref":"refs/heads/feature"}"#
            let other = try await Self.deliver(api, body: elsewhere, headers: Self.github("push", signature: Self.signature(elsewhere)))
            #expect(other.status == .accepted && other.json["outcome"] == "ignored", "\(other.text)")
            #expect(other.json["message"]?.stringValue?.contains("refs/heads/feature") == true)
            #expect(try await api.get("/api/v1/sources/platform").json["sync_requested_at"] == requested)

            // GitLab sends the secret itself.
            var gitlab: HTTPFields = [
                HTTPField.Name("X-Gitlab-Event")!: "Push Hook", HTTPField.Name("X-Gitlab-Token")!: Self.secret,
                HTTPField.Name("Idempotency-Key")!: UUID().uuidString,
            ]
            let fromGitLab = try await Self.deliver(api, headers: gitlab)
            #expect(fromGitLab.status == .accepted && fromGitLab.json["outcome"] == "sync_requested", "\(fromGitLab.text)")
            // GitLab's retry keeps its Idempotency-Key.
            let retried = try await Self.deliver(api, headers: gitlab)
            #expect(retried.status == .ok && retried.json["outcome"] == "duplicate", "\(retried.text)")
            gitlab[HTTPField.Name("X-Gitlab-Token")!] = Self.secret + "x"
            #expect(try await Self.deliver(api, headers: gitlab).status == .unauthorized)
        }
    }

    @Test func everyRefusalIsTheSame401() async throws {
        let harness = try await APIHarness.make()
        try await harness.run { api in
            try await Self.sources(api)
            let good = Self.signature(Self.push)
            let wrong = try await Self.deliver(api, headers: Self.github("push", signature: Self.signature(Self.push, secret: "guess")))
            let unknown = try await Self.deliver(api, source: "nosuch", headers: Self.github("push", signature: good))
            let noSecret = try await Self.deliver(api, source: "bare", headers: Self.github("push", signature: good))
            let badName = try await Self.deliver(api, source: "No_Such", headers: Self.github("push", signature: good))
            for reply in [wrong, unknown, noSecret, badName] {
                #expect(reply.status == .unauthorized && reply.errorCode == "unauthorized", "\(reply.text)")
                #expect(reply.text == wrong.text)
            }
            let missing = try await Self.deliver(api, headers: Self.github("push", signature: nil))
            #expect(missing.status == .unauthorized && missing.errorCode == "unauthorized")
            var sha1 = Self.github("push", signature: nil)
            sha1[HTTPField.Name("X-Hub-Signature")!] = "sha1=0123456789abcdef0123456789abcdef01234567"
            let legacy = try await Self.deliver(api, headers: sha1)
            #expect(legacy.status == .unauthorized && legacy.text.contains("X-Hub-Signature-256"), "\(legacy.text)")
            // A signature over another body does not verify this one.
            let tampered = try await Self.deliver(api, body: #"{"ref":"refs/heads/main","x":1}"#, headers: Self.github("push", signature: good))
            #expect(tampered.status == .unauthorized)
            // A bearer token is no way around the signature.
            let withToken = try await Self.deliver(api, headers: Self.github("push", signature: nil), auth: .standard)
            #expect(withToken.status == .unauthorized)
            #expect(try await api.get("/api/v1/sources/platform").json["sync_requested_at"] == .null)

            // Only POST is served; GET is 405 and needs no token to learn it.
            let get = try await api.get("/api/v1/sources/platform/webhook", auth: .none)
            #expect(get.status == .methodNotAllowed, "\(get.text)")

            // Every delivery is audited: route, address, status; never the body.
            let entries = try await api.get("/api/v1/audit").json["entries"]?.arrayValue ?? []
            let webhooks = entries.filter { $0["route"] == "/api/v1/sources/{source}/webhook" }
            #expect(webhooks.count == 8, "\(webhooks)")
            #expect(webhooks.allSatisfy { $0["status"] == 401 && $0["outcome"] == "denied" && $0["token_name"] == .null })
        }
    }

    @Test func theWebhookIsRateLimitedPerClient() async throws {
        let harness = try await APIHarness.make(APISettings(requestsPerMinute: 3, deploysPerMinute: 10))
        try await harness.run { api in
            let statuses = try await (0..<4).asyncMap { _ in
                try await Self.deliver(api, source: "nosuch", headers: Self.github("push", signature: Self.signature(Self.push))).status
            }
            #expect(statuses == [.unauthorized, .unauthorized, .unauthorized, .tooManyRequests])
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
