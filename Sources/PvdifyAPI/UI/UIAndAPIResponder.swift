import Hummingbird

/// Sends `/ui` requests to the Admin UI and everything else to the REST API.
struct UIAndAPIResponder: HTTPResponder {
    let api: RouterResponder<APIRequestContext>
    let ui: RouterResponder<APIRequestContext>?

    func respond(to request: Request, context: APIRequestContext) async throws -> Response {
        let path = request.uri.path
        if let ui, path == "/ui" || path.hasPrefix("/ui/") { return try await ui.respond(to: request, context: context) }
        return try await api.respond(to: request, context: context)
    }
}
