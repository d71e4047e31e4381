import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The UI's templates, stylesheet and script, read once from the package's resources at start.
/// Templates escape every `{{value}}` as HTML; none of them uses the unescaped `{{{ }}}` form.
struct UITemplates: Sendable {
    let library: MustacheLibrary
    /// Static files served under `/ui/assets/`, by name, with their content type.
    let assets: [String: Asset]

    /// A static file.
    struct Asset: Sendable {
        let bytes: ByteBuffer
        let contentType: String
    }

    /// The UI's files could not be read (a binary installed without its resource bundle).
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static let assetTypes = [
        "style.css": "text/css; charset=utf-8", "ui.js": "text/javascript; charset=utf-8", "favicon.svg": "image/svg+xml",
    ]

    static func load() throws -> UITemplates {
        guard let folder = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw Missing(description: "the Admin UI's resource bundle is missing; install it beside pvdifyd, or run with --ui off")
        }
        var library = MustacheLibrary()
        var assets: [String: Asset] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            if name.hasSuffix(".mustache") {
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            } else if let type = assetTypes[name] {
                assets[name] = Asset(bytes: ByteBuffer(string: text), contentType: type)
            }
        }
        return UITemplates(library: library, assets: assets)
    }

    /// A rendered page as an HTML response.
    func page(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(values, withTemplate: template) ?? ""
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A static file, or 404.
    func asset(_ name: String) -> Response {
        guard let asset = assets[name] else { return Response(status: .notFound) }
        return Response(status: .ok, headers: [.contentType: asset.contentType], body: .init(byteBuffer: asset.bytes))
    }
}
