import Foundation
import HTTPTypes
import Hummingbird
import Logging
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
    /// The envelope as a response.
    func response() -> Response {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let field { error["field"] = .string(field) }
        var response = (try? Response.json(["error": .object(error)], status: status))
            ?? Response(status: status)
        for field in headers { response.headers.append(field) }
        return response
    }
}
