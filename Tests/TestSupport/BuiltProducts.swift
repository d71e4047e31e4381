import Foundation

/// Finds executables built with the tests (`pvdifyd`, `pvdify`, `FakeCloudflare`): an environment
/// override, else the products directory the test runner runs from (so `--scratch-path` works),
/// else the package's `.build/debug`.
public enum BuiltProducts {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func executable(_ name: String, override variable: String) -> URL {
        if let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty { return URL(fileURLWithPath: path) }
        if let runner = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var directory = URL(fileURLWithPath: runner).deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/\(name)")
    }
}
