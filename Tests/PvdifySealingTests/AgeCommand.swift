import Foundation

/// The `age` and `age-keygen` commands (Debian package `age`), found on PATH.
enum AgeCommand {
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").lazy
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    static let age = find("age")
    static let keygen = find("age-keygen")
    static var isInstalled: Bool { age != nil && keygen != nil }

    /// Runs a command and returns its standard output; a non-zero exit is an error with its stderr.
    static func run(_ executable: URL, _ arguments: [String]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(message: String(decoding: errorData, as: UTF8.self))
        }
        return [UInt8](outputData)
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let message: String
        var description: String { "age failed: \(message)" }
    }
}
