import Foundation
import Testing

@testable import PvdifyStore

/// The on-disk log store: lines survive a daemon killed at any moment, in order and once each;
/// bounded by lines and bytes; deleted apps leave nothing behind.
@Suite struct AppLogsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-logs-\(UUID().uuidString)")

    func withDirectory(_ body: (URL) throws -> Void) throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    func line(_ number: Int, at second: Int = 0, process: String = "web.1") -> LogLine {
        LogLine(
            timestamp: Date(timeIntervalSince1970: 1_767_261_600 + Double(second) + Double(number) / 1_000_000), process: process,
            message: "line \(number)")
    }

    @Test func linesFromBeforeAnAbruptEndAreReadBackInOrderOnce() throws {
        try withDirectory { directory in
            let before = AppLogs(directory: directory)
            before.append("shop", LogLine(timestamp: Date(timeIntervalSince1970: 1_767_261_599), process: "api", message: "Release v1 created by ci"))
            for number in 1...500 { before.append("shop", line(number), source: "pvdify-shop-web-1-abc") }
            // No close, no flush: a process killed now leaves exactly what was written.
            let after = AppLogs(directory: directory)
            let lines = after.lines("shop", limit: 10_000)
            #expect(lines.count == 501)
            #expect(lines.first?.message == "Release v1 created by ci")
            #expect(lines.dropFirst().map(\.message) == (1...500).map { "line \($0)" })
            #expect(lines == before.lines("shop", limit: 10_000))
            let resume = try #require(after.resumePoint("shop", source: "pvdify-shop-web-1-abc"))
            #expect(resume.micros == LogTime.micros(line(500).timestamp))
            #expect(resume.messages == ["line 500"])
            #expect(after.resumePoint("shop", source: "other") == nil)
        }
    }

    @Test func messagesWithTabsNewlinesAndBackslashesComeBackUnchanged() throws {
        try withDirectory { directory in
            let text = "a\tb\nc\\d\re \\t"
            AppLogs(directory: directory).append("raw", LogLine(process: "web.1", message: text), source: "c\t1")
            let reopened = AppLogs(directory: directory)
            #expect(reopened.lines("raw", limit: 1).map(\.message) == [text])
            #expect(reopened.resumePoint("raw", source: "c\t1") != nil)
        }
    }

    @Test func keepsTheLastLinesAndAtMostTheByteBudgetOnDisk() throws {
        try withDirectory { directory in
            let maxBytes = 64 << 10
            let logs = AppLogs(directory: directory, capacity: 10_000, maxBytes: maxBytes)
            let padding = String(repeating: "x", count: 90)
            for number in 1...5_000 {
                logs.append("busy", LogLine(process: "web.1", message: "\(number) \(padding)"), source: "c1")
            }
            let folder = directory.appendingPathComponent("busy")
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            let sizes = try files.map { try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent($0).path)[.size] as! Int }
            #expect(files.count > 1, "rotated into segments")
            #expect(sizes.reduce(0, +) <= maxBytes, "on disk: \(sizes.reduce(0, +)) bytes")
            for file in files {
                let mode = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(file).path)[.posixPermissions] as? NSNumber
                #expect(mode?.intValue == 0o600)
            }
            let inMemory = logs.lines("busy", limit: 10_000)
            #expect(inMemory.last?.message.hasPrefix("5000 ") == true)
            #expect(inMemory.count < 5_000 && inMemory.count > 300)
            // What memory shows, the disk holds: a restart shows the same lines.
            #expect(AppLogs(directory: directory, capacity: 10_000, maxBytes: maxBytes).lines("busy", limit: 10_000) == inMemory)
        }
    }

    @Test func keepsAtMostCapacityLinesAcrossRestarts() throws {
        try withDirectory { directory in
            let logs = AppLogs(directory: directory, capacity: 100)
            for number in 1...250 { logs.append("small", line(number), source: "c1") }
            #expect(logs.lines("small", limit: 10_000).map(\.message) == (151...250).map { "line \($0)" })
            let reopened = AppLogs(directory: directory, capacity: 100)
            #expect(reopened.lines("small", limit: 10_000).map(\.message) == (151...250).map { "line \($0)" })
            reopened.append("small", line(251), source: "c1")
            #expect(AppLogs(directory: directory, capacity: 100).lines("small", limit: 2).map(\.message) == ["line 250", "line 251"])
        }
    }

    @Test func aRecordCutShortByACrashIsDroppedAndAppendingGoesOn() throws {
        try withDirectory { directory in
            let logs = AppLogs(directory: directory)
            for number in 1...3 { logs.append("torn", line(number), source: "c1") }
            let folder = directory.appendingPathComponent("torn")
            let segment = folder.appendingPathComponent(try #require(FileManager.default.contentsOfDirectory(atPath: folder.path).first))
            let handle = try FileHandle(forWritingTo: segment)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("1767261600000004\tc1\tweb.1\tline 4 cut sh".utf8))
            try handle.close()
            let reopened = AppLogs(directory: directory)
            reopened.append("torn", line(5), source: "c1")
            #expect(AppLogs(directory: directory).lines("torn", limit: 10).map(\.message) == ["line 1", "line 2", "line 3", "line 5"])
        }
    }

    @Test func deletedAppsLeaveNothingOnDisk() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let logs = AppLogs(directory: directory)
        logs.append("gone", line(1), source: "c1")
        logs.append("kept", line(1), source: "c2")
        logs.append("orphan", line(1), source: "c3")
        let follower = logs.follow("gone")
        logs.drop("gone")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("gone").path))
        #expect(logs.lines("gone", limit: 10).isEmpty)
        #expect(AppLogs(directory: directory).lines("gone", limit: 10).isEmpty)
        var iterator = follower.makeAsyncIterator()
        #expect(await iterator.next() == nil, "followers of a deleted app end")
        // Apps deleted while the daemon was down.
        let restarted = AppLogs(directory: directory)
        restarted.retainOnly(["kept"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["kept"])
        #expect(restarted.lines("kept", limit: 10).count == 1)
    }

    @Test func namesThatAreNotDNSLabelsNeverBecomePaths() throws {
        try withDirectory { directory in
            let logs = AppLogs(directory: directory)
            for name in ["../escape", "a/b", "..", "UPPER", String(repeating: "a", count: 64)] {
                logs.append(name, line(1), source: "c1")
                #expect(logs.lines(name, limit: 1).count == 1, "kept in memory: \(name)")
            }
            let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(entries.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: directory.deletingLastPathComponent().appendingPathComponent("escape").path))
        }
    }

    @Test func theResumePointHoldsTheLinesOfTheLastInstant() {
        let logs = AppLogs()
        let second = Date(timeIntervalSince1970: 1_767_261_600)
        logs.append("a", LogLine(timestamp: second, process: "web.1", message: "x"), source: "c1")
        logs.append("a", LogLine(timestamp: second.addingTimeInterval(1), process: "web.1", message: "y"), source: "c1")
        logs.append("a", LogLine(timestamp: second.addingTimeInterval(1), process: "web.1", message: "y"), source: "c1")
        logs.append("a", LogLine(timestamp: second.addingTimeInterval(1), process: "web.1", message: "z"), source: "c1")
        #expect(logs.resumePoint("a", source: "c1") == LogResumePoint(micros: LogTime.micros(second) + 1_000_000, messages: ["y", "y", "z"]))
        logs.forget("a", source: "c1")
        #expect(logs.resumePoint("a", source: "c1") == nil)
    }
}
