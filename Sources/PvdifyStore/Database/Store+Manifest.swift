import Foundation
import PvdifyModel

/// What applying a manifest changed.
public struct ManifestApplyResult: Sendable {
    public var app: App
    public var created: Bool
    public var configVersion: ConfigVersion?
    public var release: Release?
    public var domainsAdded: [String]
    public var domainsRemoved: [String]
    /// False when the manifest matched the stored state exactly.
    public var changed: Bool
    /// What the apply changed, for the change feed.
    public var changes: [Change]
}

extension Store {
    /// The App document of an app: spec with domains, plain config and secret names.
    public func manifest(_ app: String) async throws -> (AppManifest, AppStatus?) {
        try await read { db in
            let view = try Self.view(db, app)
            let config = try Self.currentConfigVersion(db, app: app)
            let manifest = AppManifest(
                name: app, spec: view.app.spec, domains: view.domains, config: config?.vars ?? [:],
                secrets: config?.secretNames ?? [])
            return (manifest, view.status)
        }
    }

    /// Replaces an app's desired state with a manifest, in one transaction: a new image makes a
    /// release, new config a config version (and a release when there is an image), and an
    /// identical manifest changes nothing. Secrets listed must exist; secrets are never removed.
    /// An omitted image keeps the current one. `create` allows a new app.
    public func applyManifest(_ manifest: AppManifest, by actor: String, create: Bool) async throws -> ManifestApplyResult {
        let box = secrets
        return try await write { db in
            let result = try Self.applyManifest(db, box: box, manifest: manifest, actor: actor, create: create)
            return (result, result.changes)
        }
    }

    static func applyManifest(
        _ db: any SQLSession, box: SecretBox, manifest: AppManifest, actor: String, create: Bool
    ) throws -> ManifestApplyResult {
        var created = false
        var app: App
        do {
            app = try loadApp(db, manifest.name)
        } catch StoreError.notFound(let message) {
            guard create else { throw StoreError.notFound(message) }
            app = try insertApp(db, name: manifest.name, spec: AppSpec(environment: manifest.spec.environment), previewOf: nil, prNumber: nil)
            created = true
        }

        let current = try currentConfigVersion(db, app: app.name)
        let secretNames = Set(current?.secretNames ?? [])
        for (index, secret) in manifest.secrets.enumerated() where !secretNames.contains(secret) && manifest.sealedSecrets[secret] == nil {
            throw StoreError.invalid(ValidationError(
                field: "spec.secrets[\(index)]", message: "secret '\(secret)' is not set; set it with POST /config/secrets first"))
        }
        for key in manifest.config.keys.sorted() where secretNames.contains(key) {
            throw StoreError.invalid(ValidationError(field: "spec.config.\(key)", message: "is a secret; it cannot be a plain var"))
        }

        // Domains.
        let existing = Set(try String.fetchAll(db, sql: "SELECT name FROM domains WHERE app = ?", arguments: [app.name]))
        let wanted = Set(manifest.domains)
        let removed = existing.subtracting(wanted).sorted()
        let added = manifest.domains.filter { !existing.contains($0) }
        for name in removed {
            try db.execute(sql: "DELETE FROM domains WHERE name = ?", arguments: [name])
        }
        for name in added {
            do {
                _ = try insertDomain(db, app: app.name, name: name)
            } catch StoreError.conflict(let message) {
                throw StoreError.conflict(message)
            }
        }

        // Config: plain vars replaced as a whole; secrets kept.
        var changes: [String: ConfigChange] = [:]
        let currentVars = current?.vars ?? [:]
        for (key, value) in manifest.config where currentVars[key] != value { changes[key] = .set(value) }
        for key in currentVars.keys where manifest.config[key] == nil { changes[key] = .unset }
        // Sealed secrets: set when their opened value differs from the stored one. Secrets the
        // manifest does not name are kept, as with `spec.secrets`.
        let sealedValues = try sealedSecretValues(manifest)
        var storedSecrets: [String: String]? = nil
        if !sealedValues.isEmpty {
            let stored = try current.map { try openSecrets(db, box: box, app: app.name, version: $0.version) } ?? [:]
            for (key, value) in sealedValues where stored[key] != value || currentVars[key] != nil { changes[key] = .secret(value) }
            storedSecrets = stored
        }
        var configVersion: ConfigVersion? = nil
        if !changes.isEmpty {
            var vars = currentVars
            var secretValues = try storedSecrets ?? current.map { try openSecrets(db, box: box, app: app.name, version: $0.version) } ?? [:]
            for (key, change) in changes {
                switch change {
                case .set(let value): vars[key] = value
                case .secret(let value):
                    vars[key] = nil
                    secretValues[key] = value
                case .unset: vars[key] = nil
                }
            }
            configVersion = try insertConfigVersion(
                db, box: box, app: app.name, vars: vars, secrets: secretValues, changes: changes.keys.sorted(), actor: actor)
        }

        // Spec and release.
        var spec = manifest.spec
        spec.restarts = app.spec.restarts
        if spec.image == nil { spec.image = app.spec.image }
        var release: Release? = nil
        if let image = spec.image, image != app.spec.image || configVersion != nil {
            let config = configVersion?.version ?? current?.version
            release = try insertRelease(db, app: app.name, image: image, configVersion: config, actor: actor)
        }
        let specChanged = spec != app.spec
        let changed = created || specChanged || !added.isEmpty || !removed.isEmpty || configVersion != nil
        // Domains alone leave `generation` (what the containers run) as it is.
        if specChanged || (!created && (configVersion != nil || release != nil)) {
            app.spec = spec
            try saveSpec(db, &app)
        }
        var announced: [Change] = []
        if created { announced.append(Change(app.name, .created)) }
        if specChanged { announced.append(Change(app.name, .spec)) }
        if configVersion != nil { announced.append(Change(app.name, .config)) }
        if release != nil { announced.append(Change(app.name, .release)) }
        if !added.isEmpty || !removed.isEmpty { announced.append(Change(app.name, .domains)) }
        return ManifestApplyResult(
            app: app, created: created, configVersion: configVersion, release: release,
            domainsAdded: added, domainsRemoved: removed, changed: changed, changes: announced)
    }

    /// The opened values of a manifest's sealed secrets. One not opened is refused: only a caller
    /// holding the sealing key (`SealingKey.open`) may hand sealed secrets to the store.
    static func sealedSecretValues(_ manifest: AppManifest) throws -> [String: String] {
        var values: [String: String] = [:]
        for (key, sealed) in manifest.sealedSecrets {
            guard let value = sealed.value else {
                throw StoreError.invalid(ValidationError(field: "spec.sealed_secrets.\(key)", message: "was not opened with the sealing key"))
            }
            values[key] = value
        }
        return values
    }
}
