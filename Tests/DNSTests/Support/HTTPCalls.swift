import AsyncHTTPClient
import Foundation
import NIOCore
import PvdifyModel

/// Small HTTP helper for the tests (loopback only), over AsyncHTTPClient's shared client.
enum HTTPCalls {
    /// A status and body.
    struct Reply {
        let status: Int
        let body: String
        var json: JSONValue { (try? JSONValue.parse(json: Data(body.utf8))) ?? .null }
    }

    static func send(_ method: String, _ url: String, bearer: String? = nil, json: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: body))
    }
}
