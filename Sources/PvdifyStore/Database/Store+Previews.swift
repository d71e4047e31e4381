import Foundation
import GRDB
import PvdifyModel

extension Store {
    /// The preview apps of `parent`, by pull request number.
    public func previews(_ parent: String) async throws -> [App] {
        try await read { db in
            _ = try Self.loadApp(db, parent)
            return try Row.fetchAll(db, sql: "SELECT * FROM apps WHERE preview_of = ? ORDER BY pr_number", arguments: [parent])
                .map(Self.decodeApp)
        }
    }

    /// Creates `{parent}-pr-{number}` (staging) with the parent's processes, resources,
    /// healthcheck and config (secrets included, re-sealed), and its first release of `image`.
    public func createPreview(_ parent: String, number: Int, image: String, by actor: String) async throws -> (App, Release) {
        let box = secrets
        return try await write { db in
            let source = try Self.loadApp(db, parent)
            guard source.previewOf == nil else {
                throw StoreError.invalid(ValidationError(field: "pr_number", message: "'\(parent)' is itself a preview"))
            }
            var spec = source.spec
            spec.environment = .staging
            spec.image = image
            spec.restarts = [:]
            let name = App.previewName(parent: parent, number: number)
            let app = try Self.insertApp(db, name: name, spec: spec, previewOf: parent, prNumber: number)
            var configVersion: Int?
            if let config = try Self.currentConfigVersion(db, app: parent) {
                let secretValues = try Self.openSecrets(db, box: box, app: parent, version: config.version)
                configVersion = try Self.insertConfigVersion(
                    db, box: box, app: name, vars: config.vars, secrets: secretValues,
                    changes: (Array(config.vars.keys) + Array(secretValues.keys)).sorted(), actor: actor
                ).version
            }
            let release = try Self.insertRelease(db, app: name, image: image, configVersion: configVersion, actor: actor)
            var changed = [Change(name, .created), Change(name, .release)]
            if configVersion != nil { changed.append(Change(name, .config)) }
            return ((app, release), changed)
        }
    }

    /// Deletes the preview app of pull request `number`.
    public func deletePreview(_ parent: String, number: Int) async throws {
        try await write { db in
            _ = try Self.loadApp(db, parent)
            let name = App.previewName(parent: parent, number: number)
            try db.execute(sql: "DELETE FROM apps WHERE name = ? AND preview_of = ?", arguments: [name, parent])
            guard db.changesCount > 0 else { throw StoreError.notFound("Preview for PR #\(number) of app '\(parent)' not found") }
            return ((), [Change(name, .deleted)])
        }
    }
}
