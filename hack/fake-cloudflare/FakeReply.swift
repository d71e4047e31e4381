import Foundation

/// One answer of the stand-in: status, JSON body, extra headers.
struct FakeReply: Sendable {
    var status: Int
    var body: Data
    var headers: [(String, String)] = []

    /// A Cloudflare API v4 success envelope around `result` (a JSON-serializable value).
    static func success(_ result: Any, info: [String: Any]? = nil, messages: [[String: Any]] = []) -> FakeReply {
        var envelope: [String: Any] = ["success": true, "errors": [Any](), "messages": messages, "result": result]
        if let info { envelope["result_info"] = info }
        return FakeReply(status: 200, body: json(envelope))
    }

    /// A failure envelope: `result` is null, `errors` holds Cloudflare's code and message (and chain).
    static func failure(_ status: Int, _ code: Int, _ message: String, chain: [(Int, String)] = []) -> FakeReply {
        var error: [String: Any] = ["code": code, "message": message]
        if !chain.isEmpty { error["error_chain"] = chain.map { ["code": $0.0, "message": $0.1] } }
        let envelope: [String: Any] = ["success": false, "errors": [error], "messages": [Any](), "result": NSNull()]
        return FakeReply(status: status, body: json(envelope))
    }

    /// Plain JSON (the admin endpoints).
    static func plain(_ value: Any, status: Int = 200) -> FakeReply {
        FakeReply(status: status, body: json(value))
    }

    static func json(_ value: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}
