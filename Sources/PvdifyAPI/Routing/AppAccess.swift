import PvdifyModel
import PvdifyStore

/// Decides whether a token reaches an app. An app-limited token reaches its listed apps and the
/// previews the store made of them (`preview_of`), never an app that only has a preview's name.
struct AppAccess: Sendable {
    let store: Store

    func allows(_ token: APIToken, app: String) async throws -> Bool {
        guard token.apps != nil else { return true }
        if token.reaches(app: app, previewOf: nil) { return true }
        do {
            return token.reaches(app: app, previewOf: try await store.app(app).app.previewOf)
        } catch StoreError.notFound {
            // An app that does not exist is not one of the token's, and saying 404 would tell it apart.
            return false
        }
    }
}
