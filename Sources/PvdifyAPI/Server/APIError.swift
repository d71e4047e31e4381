import HTTPTypes
import PvdifyModel
import PvdifyStore

/// An error the API answers with its envelope: `{"error": {"code", "message", "field"?}}`.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    static func unauthorized(_ message: String = "Invalid or missing token") -> APIError {
        APIError(.unauthorized, "unauthorized", message)
    }
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "forbidden", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }
    static func conflict(_ message: String) -> APIError { APIError(.conflict, "conflict", message) }
    static func invalid(_ message: String, field: String? = nil) -> APIError {
        APIError(.unprocessableContent, "invalid_request", message, field: field)
    }
    static func invalid(_ error: ValidationError) -> APIError {
        invalid(error.description, field: error.field.isEmpty ? nil : error.field)
    }
    static let internalError = APIError(.internalServerError, "internal_error", "Internal server error")

    /// The API's view of any error: store and validation errors become 404/409/422.
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: return error
        case let error as ValidationError: return .invalid(error)
        case StoreError.notFound(let message): return .notFound(message)
        case StoreError.conflict(let message): return .conflict(message)
        case StoreError.invalid(let validation): return .invalid(validation)
        default: return nil
        }
    }
}
