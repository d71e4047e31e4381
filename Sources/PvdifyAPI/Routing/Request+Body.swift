import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PvdifyModel

extension Request {
    /// The JSON body as a typed tree; nil when the body is empty. Checks the content type (JSON,
    /// or none) and the size limit.
    mutating func jsonBody(context: APIRequestContext, limit: Int) async throws -> JSONValue? {
        let data = try await rawBody(limit: limit)
        guard !data.isEmpty else { return nil }
        if let type = headers[.contentType], !Self.isJSON(type) {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json")
        }
        return try JSONValue.parseStrict(json: data)
    }

    /// The JSON object body; an empty body is a 422 unless `optional`.
    mutating func objectBody(context: APIRequestContext, limit: Int, optional: Bool = false) async throws -> FieldReader? {
        guard let body = try await jsonBody(context: context, limit: limit) else {
            if optional { return nil }
            throw APIError.invalid("A JSON request body is required")
        }
        return try FieldReader(body)
    }

    mutating func rawBody(limit: Int) async throws -> Data {
        do {
            var buffer = try await collectBody(upTo: limit)
            return buffer.readData(length: buffer.readableBytes) ?? Data()
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Self.tooLarge(limit)
        } catch is NIOTooManyBytesError {
            throw Self.tooLarge(limit)
        }
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "payload_too_large", "The request body is larger than \(limit / 1024) KiB")
    }

    static func isJSON(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }

    static func isYAML(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"].contains(media)
    }

    /// The base URL the client used (`http://127.0.0.1:9443`), for links in responses.
    var publicBaseURL: String {
        let scheme = headers[HTTPField.Name("X-Forwarded-Proto")!] == "https" ? "https" : "http"
        let host = head.authority ?? "127.0.0.1"
        return "\(scheme)://\(host)"
    }
}

extension Response {
    /// A JSON response.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = value.serialized()
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func noContent() -> Response { Response(status: .noContent) }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

extension APIRequestContext {
    /// A path parameter that the router guarantees is present.
    func parameter(_ name: String) -> String { parameters.get(name) ?? "" }
}
