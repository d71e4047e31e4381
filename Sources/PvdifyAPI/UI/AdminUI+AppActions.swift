import Foundation
import Hummingbird
import PvdifyModel

/// The app page's forms. Each one is the API request a client would send, through the API's route.
extension AdminUI {
    @Sendable func scale(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await appAction(request, context) { user, form, name in
            let type = form["type"] ?? ""
            let count = form["count"] ?? ""
            // Not a number: sent as it is, so the API says what is wrong with it.
            let value = Int(count).map(JSONValue.int) ?? .string(count)
            let answer = await api.call(
                .post, "/api/v1/apps/\(name)/ps/scale", secret: user.session.secret, body: .object([type: value]), from: context)
            return (answer, "Scaled \(type) to \(count)")
        }
    }

    @Sendable func restart(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await appAction(request, context) { user, form, name in
            let body: JSONValue? = form["type"].map { ["type": .string($0)] }
            let answer = await api.call(.post, "/api/v1/apps/\(name)/ps/restart", secret: user.session.secret, body: body, from: context)
            return (answer, "Restart requested")
        }
    }

    @Sendable func rollback(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await appAction(request, context) { user, form, name in
            let text = form["version"] ?? ""
            let body: JSONValue = ["version": Int(text).map(JSONValue.int) ?? .string(text)]
            let answer = await api.call(.post, "/api/v1/apps/\(name)/rollback", secret: user.session.secret, body: body, from: context)
            return (answer, "Rolling back to v\(text) as v\(answer.json?["version"]?.intValue ?? 0)")
        }
    }

    @Sendable func deploy(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await appAction(request, context) { user, form, name in
            let image = (form["image"] ?? "").trimmingCharacters(in: .whitespaces)
            let answer = await api.call(
                .post, "/api/v1/apps/\(name)/releases", secret: user.session.secret, body: ["image": .string(image)], from: context)
            return (answer, "Deploying v\(answer.json?["version"]?.intValue ?? 0)")
        }
    }

    @Sendable func setConfig(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await appAction(request, context) { user, form, name in
            let key = form["key"] ?? ""
            let body: JSONValue = ["vars": .object([key: .string(form["value"] ?? "")])]
            let answer = await api.call(.patch, "/api/v1/apps/\(name)/config", secret: user.session.secret, body: body, from: context)
            return (answer, "Set \(key)")
        }
    }

    @Sendable func removeConfig(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await appAction(request, context) { user, form, name in
            let key = form["key"] ?? ""
            let answer = await api.call(
                .delete, "/api/v1/apps/\(name)/config/\(InternalAPI.segment(key))", secret: user.session.secret, from: context)
            return (answer, "Removed \(key)")
        }
    }

    /// The value goes to the API and is never shown again: pages list a secret's name only.
    @Sendable func setSecret(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await appAction(request, context) { user, form, name in
            let key = form["name"] ?? ""
            let body: JSONValue = ["name": .string(key), "value": .string(form["value"] ?? "")]
            let answer = await api.call(
                .post, "/api/v1/apps/\(name)/config/secrets", secret: user.session.secret, body: body, from: context)
            return (answer, "Set secret \(key)")
        }
    }

    @Sendable func addDomain(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await appAction(request, context) { user, form, name in
            let domain = (form["domain"] ?? "").trimmingCharacters(in: .whitespaces)
            let answer = await api.call(
                .post, "/api/v1/apps/\(name)/domains", secret: user.session.secret, body: ["name": .string(domain)], from: context)
            return (answer, "Added \(domain)")
        }
    }

    @Sendable func removeDomain(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await appAction(request, context) { user, form, name in
            let domain = form["domain"] ?? ""
            let answer = await api.call(
                .delete, "/api/v1/apps/\(name)/domains/\(InternalAPI.segment(domain))", secret: user.session.secret, from: context)
            return (answer, "Removed \(domain)")
        }
    }

    /// Starts verification; the notice names the TXT record to create, as the API gives it.
    @Sendable func verifyDomain(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try await appAction(request, context) { user, form, name in
            let domain = form["domain"] ?? ""
            let answer = await api.call(
                .post, "/api/v1/apps/\(name)/domains/\(InternalAPI.segment(domain))/verify", secret: user.session.secret,
                from: context)
            return (answer, "Verifying \(domain): create the DNS record \(answer.json?["dns_record"]?.shownText ?? "")")
        }
    }

    /// A form post about the app named in the path; back to its page afterwards.
    func appAction(
        _ request: Request, _ context: APIRequestContext,
        _ perform: (SignedIn, UIForm, String) async throws -> (InternalAPI.Answer, String)
    ) async throws -> Response {
        try await formPost(request, context) { user, form in
            guard let name = Self.appName(context) else {
                return errorPage(user, status: 404, message: "App not found", back: "/ui/apps")
            }
            let (answer, success) = try await perform(user, form, name)
            return finish(answer, user, success: success, back: "/ui/apps/\(name)")
        }
    }
}
