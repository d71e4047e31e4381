import Foundation

/// Finds the built `pvdify` and `pvdifyd`: `PVDIFY_BIN` / `PVDIFYD_BIN`, else next to the test
/// runner (the products directory of whatever `--scratch-path` built it), else `.build/debug`.
enum Binaries {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var pvdify: URL { locate("pvdify", environment: "PVDIFY_BIN") }
    static var pvdifyd: URL { locate("pvdifyd", environment: "PVDIFYD_BIN") }

    static func locate(_ name: String, environment: String) -> URL {
        if let path = ProcessInfo.processInfo.environment[environment], !path.isEmpty { return URL(fileURLWithPath: path) }
        var directory = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return repositoryRoot.appendingPathComponent(".build/debug/\(name)")
    }
}
