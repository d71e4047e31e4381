import HTTPTypes
import Hummingbird

/// Puts the UI's security headers on every UI answer, errors included: no inline script or
/// style, no framing, no caching, no MIME sniffing, no referrer sent elsewhere.
struct UISecurityHeaders: RouterMiddleware {
    typealias Context = APIRequestContext

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            response = Self.plain(error.status)
        } catch {
            // A store fault: logged here, and the browser learns nothing of its details.
            context.logger.error("admin UI request failed", metadata: ["path": .string(request.uri.path), "error": .string("\(error)")])
            response = Self.plain(.internalServerError)
        }
        Self.apply(&response.headers)
        return response
    }

    static func plain(_ status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: .init(string: status.reasonPhrase)))
    }

    static func apply(_ headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xFrameOptions] = "DENY"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "same-origin"
        headers[.cacheControl] = "no-store"
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
