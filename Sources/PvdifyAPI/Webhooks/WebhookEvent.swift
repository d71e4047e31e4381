import Foundation
import HTTPTypes
import PvdifyModel

/// What a verified webhook delivery is about, read from its headers; of its body only the pushed
/// ref is ever read, to skip pushes to other branches. Nothing in a payload decides what is applied.
struct WebhookEvent: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// GitHub's `ping`, sent when a webhook is added.
        case ping
        /// GitHub's `push`, GitLab's `Push Hook` and `Tag Push Hook`.
        case push
        /// Anything else: answered and ignored.
        case other
    }

    /// The event's name as sent (`push`, `Push Hook`), shown in the answer.
    var name: String
    var kind: Kind
    /// The delivery's id (`X-GitHub-Delivery`; GitLab's `Idempotency-Key`, else `X-Gitlab-Webhook-UUID`);
    /// nil when absent or unusable.
    var delivery: String?

    static let maxNameBytes = 64
    static let maxDeliveryBytes = 128

    /// The event of a delivery whose proof is `proof`: the provider's own headers are read.
    static func read(_ headers: HTTPFields, proof: WebhookProof) -> WebhookEvent {
        switch proof {
        case .githubSignature:
            let name = printable(headers[.githubEvent], limit: maxNameBytes) ?? "unknown"
            let kind: Kind = name == "ping" ? .ping : name == "push" ? .push : .other
            return WebhookEvent(name: name, kind: kind, delivery: deliveryID(headers[.githubDelivery]))
        case .gitlabToken:
            let name = printable(headers[.gitlabEvent], limit: maxNameBytes) ?? "unknown"
            let kind: Kind = ["Push Hook", "Tag Push Hook"].contains(name) ? .push : .other
            // Idempotency-Key stays the same when GitLab retries a delivery (GitLab 17.4 and later).
            let delivery = deliveryID(headers[.idempotencyKey]) ?? deliveryID(headers[.gitlabWebhookUUID])
            return WebhookEvent(name: name, kind: kind, delivery: delivery)
        }
    }

    /// A header value of printable ASCII within `limit` bytes; nil otherwise.
    static func printable(_ value: String?, limit: Int) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= limit, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
            return nil
        }
        return value
    }

    /// Ids are GUIDs: letters, digits and `-._:` only, so a remembered id is never stray text.
    static func deliveryID(_ value: String?) -> String? {
        guard let value = printable(value, limit: maxDeliveryBytes) else { return nil }
        let allowed = value.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "-._:".utf8.contains(byte)
        }
        return allowed ? value : nil
    }

    /// The ref a push names (`refs/heads/main`): the payload's top-level `ref`, from a JSON body
    /// or GitHub's form encoding (`payload=<JSON>`). Nil when it cannot be read.
    static func pushedRef(_ body: Data, contentType: String?) -> String? {
        guard let ref = payload(body, contentType: contentType)?["ref"]?.stringValue else { return nil }
        return printable(ref, limit: 1024)
    }

    /// A delivery's payload: a JSON body, or GitHub's form encoding (`payload=<JSON>`). Nil when
    /// it cannot be read.
    static func payload(_ body: Data, contentType: String?) -> JSONValue? {
        var json = body
        let media = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        if media == "application/x-www-form-urlencoded" {
            var form = URLComponents()
            form.percentEncodedQuery = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "+", with: "%20")
            guard let payload = form.queryItems?.first(where: { $0.name == "payload" })?.value else { return nil }
            json = Data(payload.utf8)
        }
        return try? JSONValue.parse(json: json)
    }
}
