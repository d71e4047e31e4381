import Foundation
import PvdifyDrivers
import Testing

@Suite struct KubeLogLineTests {
    func parse(_ text: String) -> KubeLogLine? { KubeLogLine(Array(text.utf8)[...]) }

    @Test func readsTimeStreamTagAndText() throws {
        let line = try #require(parse("2026-11-30T06:08:31.706746276+00:00 stdout F listening on 3000"))
        #expect(line.stream == .stdout)
        #expect(!line.partial)
        #expect(line.text == "listening on 3000")
        #expect(line.timestamp == RFC3339.parse("2026-11-30T06:08:31.706746276+00:00"))

        let piece = try #require(parse("2026-01-02T03:04:05.5Z stderr P two  spaces "))
        #expect(piece.stream == .stderr && piece.partial && piece.text == "two  spaces ")
        #expect(piece.timestamp == RFC3339.parse("2026-01-02T03:04:05.5Z"))
        #expect(parse("2026-01-02T03:04:05+02:00 stdout F")?.text == "")
        #expect(parse("2026-01-02T05:04:05+02:00 stdout F x")?.timestamp == parse("2026-01-02T03:04:05Z stdout F x")?.timestamp)
        #expect(parse("2024-02-29T23:59:59.000000001-01:30 stdout F x")?.timestamp == RFC3339.parse("2024-02-29T23:59:59.000000001-01:30"))
    }

    @Test func refusesWhatIsNotTheFormat() {
        #expect(parse("") == nil)
        #expect(parse("hello world") == nil)
        #expect(parse("2026-11-30T06:08:31.7+00:00 stdin F x") == nil)
        #expect(parse("2026-11-30T06:08:31.7+00:00 stdout X x") == nil)
        #expect(parse("2026-13-30T06:08:31.7+00:00 stdout F x") == nil)
        #expect(parse("2026-11-30 06:08:31.7+00:00 stdout F x") == nil)
        #expect(parse("2026-11-30T06:08:31.+00:00 stdout F x") == nil)
    }
}

@Suite struct LogFileTailerTests {
    static func line(_ second: Int, _ tag: String, _ text: String, stream: String = "stdout") -> String {
        String(format: "2026-11-30T06:00:%02d.000000100+00:00 %@ %@ %@\n", second, stream, tag, text)
    }

    /// Collects the stream's lines into a shared list as they come.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [LogLine] = []
        var all: [LogLine] { lock.withLock { lines } }
        func add(_ line: LogLine) { lock.withLock { lines.append(line) } }
    }

    func eventually(_ condition: () -> Bool) async throws {
        // Generous: on a loaded 2-core machine the parallel test pass was seen to need more than 10 s.
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 30 s")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func followsAppendsJoinsPiecesSurvivesRotationAndEndsWhenTheFileGoes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-tail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("ctr.log")
        try (Self.line(1, "F", "before since") + Self.line(3, "F", "first") + Self.line(4, "P", "half ")).write(to: file, atomically: false, encoding: .utf8)

        let tailer = LogFileTailer(interval: .milliseconds(20))
        let since = RFC3339.parse("2026-11-30T06:00:02Z")
        let collected = Collected()
        let reader = Task {
            for try await line in tailer.follow(file.path, since: since) { collected.add(line) }
        }
        try await eventually { collected.all.count == 1 }
        #expect(collected.all.map(\.text) == ["first"])

        // The rest of the piece, a line of stderr, and a line cut in the middle of a write.
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((Self.line(5, "F", "whole\r") + Self.line(6, "F", "oops", stream: "stderr")).utf8))
        let cut = Self.line(7, "F", "late")
        try handle.write(contentsOf: Data(cut.prefix(20).utf8))
        try await eventually { collected.all.count == 3 }
        try handle.write(contentsOf: Data(cut.dropFirst(20).utf8))
        try handle.close()
        try await eventually { collected.all.count == 4 }
        #expect(collected.all.map(\.text) == ["first", "half whole", "oops", "late"])
        #expect(collected.all.map(\.stream) == [.stdout, .stdout, .stderr, .stdout])
        #expect(collected.all[1].timestamp == RFC3339.parse("2026-11-30T06:00:05.0000001Z"))

        // Replaced by a new file (rotation): read from its start.
        let rotated = directory.appendingPathComponent("new.log")
        try Self.line(8, "F", "rotated").write(to: rotated, atomically: false, encoding: .utf8)
        #expect(rename(rotated.path, file.path) == 0)
        try await eventually { collected.all.count == 5 }
        #expect(collected.all.last?.text == "rotated")

        // Gone (its container removed): the stream ends and the tailer forgets the file.
        try FileManager.default.removeItem(at: file)
        try await reader.value
        #expect(await tailer.count == 0)
    }

    @Test func aMissingFileEndsTheStreamAndReadabilityIsChecked() async throws {
        let tailer = LogFileTailer(interval: .milliseconds(20))
        var lines = 0
        for try await _ in tailer.follow("/nonexistent/pvdify/ctr.log", since: nil) { lines += 1 }
        #expect(lines == 0)
        #expect(!LogFileTailer.canRead("/nonexistent/pvdify/ctr.log"))
        #expect(!LogFileTailer.canRead(""))
    }
}
