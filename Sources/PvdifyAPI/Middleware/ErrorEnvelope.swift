import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOHTTP1
import PvdifyModel

/// Turns every error into the API's envelope. Client mistakes keep their status; anything else
/// is a logged 500 with a request id and no internals.
struct ErrorEnvelope: RouterMiddleware {
    typealias Context = APIRequestContext

    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return envelope(for: error, request: request, context: context).response()
        }
    }

    func envelope(for error: any Error, request: Request, context: Context) -> APIError {
        if let known = APIError.from(error) { return known }
        if ClientDisconnect.matches(error) {
            // Nobody is there to read an answer: the client's doing, not the server's.
            context.logger.debug("client went away during the request", metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "error": .string(String(describing: error)),
            ])
            return APIError(.badRequest, "bad_request", "The request ended before it was complete")
        }
        if error is HTTPParserError {
            context.logger.debug("malformed request body", metadata: ["error": .string(String(describing: error))])
            return APIError(.badRequest, "bad_request", "The request is not valid HTTP/1.1")
        }
        if let http = error as? HTTPError {
            switch http.status {
            case .notFound:
                let allowed = routes.methods(matching: request.uri.path)
                guard !allowed.isEmpty else { return .notFound("No route for \(request.method) \(request.uri.path)") }
                var notAllowed = APIError(
                    .methodNotAllowed, "method_not_allowed", "\(request.method) is not allowed on \(request.uri.path)")
                notAllowed.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                return notAllowed
            case .contentTooLarge:
                return APIError(.contentTooLarge, "payload_too_large", "The request body is too large")
            case .unauthorized:
                return .unauthorized()
            case .forbidden:
                return .forbidden(http.body ?? "Forbidden")
            default:
                if (400..<500).contains(http.status.code) {
                    return .invalid(http.body ?? http.status.reasonPhrase)
                }
            }
        }
        let requestID = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        context.logger.error("request failed", metadata: [
            "request_id": .string(requestID), "method": .string(request.method.rawValue),
            "path": .string(request.uri.path), "error": .string(String(describing: error)),
        ])
        var failure = APIError.internalError
        failure.message = "Internal server error (request id \(requestID))"
        return failure
    }
}

extension APIError {
    /// `{"error": {"code", "message", "field"?}}`.
    var envelope: JSONValue {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let field { error["field"] = .string(field) }
        return ["error": .object(error)]
    }

    /// The envelope as a response.
    func response() -> Response {
        var response = (try? Response.json(envelope, status: status)) ?? Response(status: status)
        for field in headers { response.headers.append(field) }
        return response
    }
}
