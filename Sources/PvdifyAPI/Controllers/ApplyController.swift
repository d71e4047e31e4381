import Foundation
import HTTPTypes
import Hummingbird
import PvdifyModel
import PvdifyStore
import Yams

/// `POST /apply`: many App documents at once, all or nothing, as `pvdify apply -f` and GitOps
/// send them. Every document is validated before any is applied; `?dry_run=true` answers what
/// would change (with a unified diff per app) and changes nothing.
struct ApplyController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.post, "/api/v1/apply", scope: .write, createsReleases: true, apply)
    }

    /// One document of the request body and where it starts in the YAML text (nil for JSON).
    struct Document {
        let value: JSONValue
        let line: Int?

        /// `documents[1] (app 'web', line 12)`, for messages.
        func label(_ index: Int) -> String {
            var details: [String] = []
            if let name = value["metadata"]?["name"]?.stringValue { details.append("app '\(name)'") }
            if let line { details.append("line \(line)") }
            return details.isEmpty ? "documents[\(index)]" : "documents[\(index)] (\(details.joined(separator: ", ")))"
        }
    }

    @Sendable func apply(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let dryRun = try Self.dryRun(request)
        let data = try await request.rawBody(limit: services.settings.maxBodyBytes)
        let documents = try Self.documents(data, contentType: request.headers[.contentType])
        let cap = services.settings.maxApplyDocuments
        guard documents.count <= cap else {
            throw APIError.invalid(
                "The body holds \(documents.count) App documents; one apply takes at most \(cap) (split the documents over several applies)",
                field: "documents")
        }

        // Validate every document before touching any of them. Source documents go apart; the
        // App documents keep their indexes into `documents` for messages.
        var manifests: [AppManifest] = []
        var appIndexes: [Int] = []
        var sources: [SourceManifest] = []
        var problems: [ValidationError] = []
        for (index, document) in documents.enumerated() {
            do {
                if SourceManifest.isSource(document.value) {
                    let source = try SourceManifest.parse(document.value)
                    if sources.contains(where: { $0.name == source.name }) {
                        throw ValidationError(field: "metadata.name", message: "source '\(source.name)' is in two documents")
                    }
                    sources.append(source)
                } else {
                    manifests.append(try AppManifest.parse(document.value))
                    appIndexes.append(index)
                }
            } catch let error as ValidationError {
                problems.append(Self.problem(error, in: document, index: index))
            }
        }
        if problems.isEmpty { problems = Self.crossDocumentProblems(manifests, documents, indexes: appIndexes) }
        if problems.isEmpty, manifests.contains(where: { !$0.sealedSecrets.isEmpty }) {
            // Sealed secrets are opened before anything is applied: one that does not open applies nothing.
            let key = try await services.store.sealingKey()
            for (position, manifest) in manifests.enumerated() {
                do {
                    manifests[position] = try key.open(manifest)
                } catch {
                    problems.append(Self.problem(error, in: documents[appIndexes[position]], index: appIndexes[position]))
                }
            }
        }
        guard problems.isEmpty else { return try Self.invalid(problems) }
        if !sources.isEmpty, context.token?.apps != nil {
            throw APIError.forbidden("An app-limited token may not apply Source documents")
        }

        context.record.noteApps(manifests.map(\.name))
        for (index, manifest) in manifests.enumerated() {
            guard let token = context.token, try await services.access.allows(token, app: manifest.name) else {
                throw APIError.forbidden("This token may not access app '\(manifest.name)' (\(documents[appIndexes[index]].label(appIndexes[index])))")
            }
        }

        let outcomes: [ManifestApplyOutcome]
        let sourceActions: [String]
        do {
            (outcomes, sourceActions) = try await services.store.applyManifests(
                manifests, sources: sources, by: context.actor, dryRun: dryRun)
        } catch let failure as ManifestBatchError {
            throw Self.apiError(ManifestBatchError(index: appIndexes[failure.index], error: failure.error), documents: documents)
        }
        if !dryRun {
            // One apply is one deploy, however many releases it makes.
            if outcomes.contains(where: { $0.result.release != nil }) { context.record.noteRelease() }
            announce(outcomes, actor: context.actor)
        }
        let results: [JSONValue] = try outcomes.map { outcome in
            let result = outcome.result
            let action = result.created ? "created" : result.changed ? "configured" : "unchanged"
            return [
                "name": .string(outcome.after.name),
                "action": .string(action),
                "release": .number(result.release?.version),
                "config_version": .text(result.configVersion.map { "v\($0.version)" }),
                "diff": .string(try Self.diff(outcome)),
                "secrets_changed": .array(Self.secretsChanged(outcome).map(JSONValue.string)),
            ]
        }
        let sourceResults: [JSONValue] = zip(sources, sourceActions).map { source, action in
            ["kind": "Source", "name": .string(source.name), "action": .string(action)]
        }
        return try .json(["dry_run": .bool(dryRun), "results": .array(results + sourceResults)])
    }

    static func dryRun(_ request: Request) throws -> Bool {
        guard let text = request.uri.queryParameters["dry_run"].map(String.init) else { return false }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no", "": return false
        default: throw APIError.invalid("must be true or false", field: "dry_run")
        }
    }

    /// YAML (one or many documents), or JSON: `{"documents": [...]}` or a single document.
    static func documents(_ data: Data, contentType: String?) throws -> [Document] {
        var documents: [Document]
        if let contentType, Request.isJSON(contentType) {
            let body = try JSONValue.parseStrict(json: data)
            if case .object(let fields) = body, fields["kind"] == nil, let list = fields["documents"] {
                guard case .array(let items) = list else {
                    throw APIError.invalid("must be an array of App documents", field: "documents")
                }
                documents = items.map { Document(value: $0, line: nil) }
            } else {
                documents = [Document(value: body, line: nil)]
            }
        } else if contentType == nil || Request.isYAML(contentType!) {
            guard let text = String(data: data, encoding: .utf8) else { throw APIError.invalid("The body must be UTF-8 text") }
            documents = try YAMLDocuments.parse(text).map { Document(value: $0.value, line: $0.line) }
        } else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "Content-Type must be application/yaml or application/json")
        }
        // Empty documents (a trailing `---`) are skipped, as kubectl does.
        documents.removeAll { $0.value == .null }
        guard !documents.isEmpty else { throw APIError.invalid("The body holds no App documents", field: "documents") }
        return documents
    }

    /// A document's error with its field under `documents[i]` and a message naming the document.
    static func problem(_ error: ValidationError, in document: Document, index: Int) -> ValidationError {
        let field = error.field.isEmpty ? "documents[\(index)]" : "documents[\(index)].\(error.field)"
        return ValidationError(field: field, message: "\(document.label(index)): \(error.description)")
    }

    /// Two documents may not name the same app, nor list the same domain. `indexes` gives each
    /// manifest's position in `documents`.
    static func crossDocumentProblems(_ manifests: [AppManifest], _ documents: [Document], indexes: [Int]) -> [ValidationError] {
        var problems: [ValidationError] = []
        var apps: [String: Int] = [:]
        var domains: [String: Int] = [:]
        for (position, manifest) in manifests.enumerated() {
            let index = indexes[position]
            if let first = apps[manifest.name] {
                problems.append(problem(
                    ValidationError(field: "metadata.name", message: "app '\(manifest.name)' is also in documents[\(first)]"),
                    in: documents[index], index: index))
            }
            apps[manifest.name] = apps[manifest.name] ?? index
            for (domainIndex, domain) in manifest.domains.enumerated() {
                if let first = domains[domain], first != index {
                    problems.append(problem(
                        ValidationError(field: "spec.domains[\(domainIndex)]", message: "'\(domain)' is also listed in documents[\(first)]"),
                        in: documents[index], index: index))
                }
                domains[domain] = domains[domain] ?? index
            }
        }
        return problems
    }

    /// 422 with the first problem's field and every problem in `errors`.
    static func invalid(_ problems: [ValidationError]) throws -> Response {
        var error: [String: JSONValue] = [
            "code": "invalid_request",
            "message": .string(problems.map(\.message).joined(separator: "; ")),
            "errors": .array(problems.map { ["field": .string($0.field), "message": .string($0.message)] }),
        ]
        if let first = problems.first { error["field"] = .string(first.field) }
        return try .json(["error": .object(error)], status: .unprocessableContent)
    }

    static func apiError(_ failure: ManifestBatchError, documents: [Document]) -> APIError {
        let label = documents[failure.index].label(failure.index)
        switch failure.error {
        case .invalid(let error):
            let located = problem(error, in: documents[failure.index], index: failure.index)
            return .invalid(located.message, field: located.field)
        case .conflict(let message):
            return .conflict("\(label): \(message)")
        case .notFound(let message):
            return .notFound("\(label): \(message)")
        }
    }

    /// The stored manifest before and after, as YAML with sorted keys, in `diff -u` form.
    static func diff(_ outcome: ManifestApplyOutcome) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        let name = outcome.after.name
        let before = try outcome.before.map { try encoder.encode($0.document(status: nil)) } ?? ""
        let after = try encoder.encode(outcome.after.document(status: nil))
        return UnifiedDiff.make(
            old: before, new: after, oldName: outcome.before == nil ? "/dev/null" : "live/app/\(name)",
            newName: "manifest/app/\(name)")
    }

    /// The secrets the apply set or changed, by name: a changed value does not show in `diff`,
    /// which holds secret names only.
    static func secretsChanged(_ outcome: ManifestApplyOutcome) -> [String] {
        guard let version = outcome.result.configVersion else { return [] }
        let secrets = Set(version.secretNames)
        return version.changes.filter(secrets.contains).sorted()
    }

    private func announce(_ outcomes: [ManifestApplyOutcome], actor: String) {
        for outcome in outcomes where outcome.result.changed {
            let name = outcome.after.name
            services.event(name, outcome.result.created ? "App created by \(actor) (apply)" : "Manifest applied by \(actor)")
            if let release = outcome.result.release {
                services.event(name, "Release v\(release.version) created by \(actor): deploy \(release.image)")
            }
        }
    }
}
