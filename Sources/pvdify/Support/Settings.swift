import Foundation
import Yams

/// Where the CLI finds the API and its token: `PVDIFY_API_URL` and `PVDIFY_TOKEN` first, then
/// `~/.config/pvdify/config.yaml` (written by `pvdify login`, mode 0600), then the default URL.
struct Settings: Codable, Equatable {
    static let defaultAPIURL = "http://127.0.0.1:9443"

    var apiURL: String?
    var token: String?

    enum CodingKeys: String, CodingKey {
        case apiURL = "api_url"
        case token
    }

    /// `$XDG_CONFIG_HOME/pvdify/config.yaml`, else `~/.config/pvdify/config.yaml`.
    static var fileURL: URL {
        let environment = ProcessInfo.processInfo.environment
        let base: URL
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            base = URL(fileURLWithPath: xdg)
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            base = URL(fileURLWithPath: home).appendingPathComponent(".config")
        }
        return base.appendingPathComponent("pvdify/config.yaml")
    }

    /// The stored settings; empty when there is no file yet.
    static func load() throws -> Settings {
        let url = fileURL
        guard let data = FileManager.default.contents(atPath: url.path) else { return Settings() }
        let text = String(decoding: data, as: UTF8.self)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return Settings() }
        do {
            return try YAMLDecoder().decode(Settings.self, from: text)
        } catch {
            throw CLIError("\(url.path) is not a valid pvdify config file: \(error)")
        }
    }

    /// Writes the file readable by its owner only (mode 0600, directory 0700).
    func save() throws {
        let url = Self.fileURL
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let text = try YAMLEncoder().encode(self)
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw CLIError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        // The file may have existed with wider permissions.
        fchmod(descriptor, 0o600)
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw CLIError("cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    /// The URL and token in force, with the environment over the file.
    static func resolved() throws -> (apiURL: String, token: String?) {
        let environment = ProcessInfo.processInfo.environment
        let stored = try load()
        let url = environment["PVDIFY_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? stored.apiURL ?? defaultAPIURL
        let token = environment["PVDIFY_TOKEN"].flatMap { $0.isEmpty ? nil : $0 } ?? stored.token
        return (normalize(url), token)
    }

    /// `http://host:9443`, accepting a trailing `/` or `/api/v1` and a missing scheme.
    static func normalize(_ url: String) -> String {
        var text = url.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.contains("://") { text = "http://" + text }
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/api/v1") { text.removeLast("/api/v1".count) }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
