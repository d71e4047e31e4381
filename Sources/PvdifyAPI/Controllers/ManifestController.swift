import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore
import Yams

/// `/apps/{name}/manifest`: the App document as YAML (default) or JSON.
struct ManifestController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/apps/{name}/manifest", scope: .read, show)
        routes.add(.put, "/api/v1/apps/{name}/manifest", scope: .write, createsReleases: true, replace)
    }

    @Sendable func show(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let (manifest, status) = try await services.store.manifest(context.parameter("name"))
        // Before any reconciler has reported, the status is what it starts as: pending, generation 0 observed.
        return try Self.render(manifest.document(status: status ?? AppStatus()), for: request)
    }

    /// Replaces the spec; `metadata.name` must be the path's app, `status` is ignored.
    @Sendable func replace(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let name = context.parameter("name")
        let contentType = request.headers[.contentType]
        let data = try await request.rawBody(limit: services.settings.maxBodyBytes)
        let document: JSONValue
        if let contentType, Request.isJSON(contentType) {
            document = try JSONValue.parseStrict(json: data)
        } else if contentType == nil || Request.isYAML(contentType!) {
            guard let text = String(data: data, encoding: .utf8) else { throw APIError.invalid("The manifest must be UTF-8 text") }
            document = try YAMLDocuments.parseOne(text)
        } else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "Content-Type must be application/yaml or application/json")
        }
        let existing = try await services.store.app(name)
        var manifest = try AppManifest.parse(document, maxNameLength: existing.app.previewOf == nil ? 30 : 63)
        if !manifest.sealedSecrets.isEmpty { manifest = try await services.store.sealingKey().open(manifest) }
        guard manifest.name == name else {
            throw APIError.invalid("must be '\(name)', the app in the path", field: "metadata.name")
        }
        let result = try await services.store.applyManifest(manifest, by: context.actor, create: false)
        if result.release != nil { context.record.noteRelease() }
        if result.changed { services.event(name, "Manifest applied by \(context.actor)") }
        if let release = result.release {
            services.event(name, "Release v\(release.version) created by \(context.actor): deploy \(release.image)")
        }
        let (stored, status) = try await services.store.manifest(name)
        return try Self.render(stored.document(status: status), for: request)
    }

    static func render(_ document: ManifestDocument, for request: Request) throws -> Response {
        if let accept = request.headers[.accept], accept.contains("application/json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .custom { date, encoder in
                var container = encoder.singleValueContainer()
                try container.encode(Timestamps.format(date))
            }
            let data = try encoder.encode(document)
            return .text(String(decoding: data, as: UTF8.self), contentType: "application/json; charset=utf-8")
        }
        let yaml = try YAMLEncoder().encode(document)
        return .text(yaml, contentType: "application/yaml; charset=utf-8")
    }
}
