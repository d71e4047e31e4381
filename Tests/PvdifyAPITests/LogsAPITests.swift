import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PvdifyModel
import PvdifyStore
import Synchronization
import Testing
@testable import PvdifyAPI

@Suite struct LogsAPITests {
    @Test func linesProcessAndSince() async throws {
        let harness = try await APIHarness.make()
        let logs = harness.logs
        try await harness.run { api in
            try await api.createApp("myapp")
            let base = Date(timeIntervalSince1970: 1_800_000_000)
            for index in 0..<30 {
                let process = index % 3 == 0 ? "worker.1" : (index % 3 == 1 ? "web.1" : "web.2")
                logs.append("myapp", LogLine(timestamp: base.addingTimeInterval(Double(index)), process: process, message: "line \(index)"))
            }
            let last = try await api.get("/api/v1/apps/myapp/logs?lines=5")
            #expect(last.status == .ok)
            let lines = try #require(last.json["lines"]?.arrayValue)
            #expect(lines.count == 5)
            #expect(lines.last?["message"] == "line 29")
            #expect(lines.first?["message"] == "line 25")
            #expect(lines.first?["timestamp"]?.stringValue?.hasSuffix("Z") == true)

            let web = try await api.get("/api/v1/apps/myapp/logs?process=web&lines=100")
            #expect(web.json["lines"]?.arrayValue?.allSatisfy { $0["process"]?.stringValue?.hasPrefix("web.") == true } == true)
            #expect(web.json["lines"]?.arrayValue?.count == 20)
            let one = try await api.get("/api/v1/apps/myapp/logs?process=web.2")
            #expect(one.json["lines"]?.arrayValue?.count == 10)

            let since = Timestamps.format(base.addingTimeInterval(27))
            let recent = try await api.get("/api/v1/apps/myapp/logs?since=\(since)")
            #expect(recent.json["lines"]?.arrayValue?.map { $0["message"] } == ["line 27", "line 28", "line 29"])

            for query in ["lines=0", "lines=abc", "lines=10001", "since=yesterday", "process=Web", "process=web.x", "follow=maybe"] {
                let bad = try await api.get("/api/v1/apps/myapp/logs?\(query)")
                #expect(bad.status == .unprocessableContent, "\(query)")
            }
            #expect(try await api.get("/api/v1/apps/none/logs").status == .notFound)
        }
    }

    @Test func followStreamsServerSentEvents() async throws {
        let harness = try await APIHarness.make(APISettings(
            requestsPerMinute: 10_000, deploysPerMinute: 10_000, concurrentLogStreams: 2, heartbeatInterval: .milliseconds(50)))
        let logs = harness.logs
        try await harness.run { api in
            try await api.createApp("myapp")
            logs.append("myapp", LogLine(process: "web.1", message: "before the stream"))
            let first = Task { try await api.get("/api/v1/apps/myapp/logs?follow=true&process=web") }
            let second = Task { try await api.get("/api/v1/apps/myapp/logs?follow=true") }
            try await Self.waitUntil { logs.followerCount("myapp") == 2 }
            let third = try await api.get("/api/v1/apps/myapp/logs?follow=true")
            #expect(third.status == .tooManyRequests)
            #expect(third.errorCode == "rate_limited")

            logs.append("myapp", LogLine(process: "web.1", message: "live line"))
            logs.append("myapp", LogLine(process: "worker.1", message: "worker line"))
            // Ends the streams, as deleting the app does; lines already appended are still sent.
            logs.drop("myapp")
            let webStream = try await first.value
            #expect(webStream.status == .ok)
            #expect(webStream.headers[.contentType] == "text/event-stream")
            let events = webStream.text.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: ") }
            #expect(events.count == 2)
            #expect(events.first?.contains(#""message":"before the stream""#) == true)
            #expect(events.last?.contains(#""message":"live line""#) == true)
            #expect(events.last?.contains(#""process":"web.1""#) == true)
            #expect(!webStream.text.contains("worker line"))
            #expect(try await second.value.text.contains("worker line"))
            // The slots are free again.
            try await Self.waitUntil { logs.followerCount("myapp") == 0 }
            let again = Task { try await api.get("/api/v1/apps/myapp/logs?follow=true") }
            try await Self.waitUntil { logs.followerCount("myapp") == 1 }
            logs.finishAll()
            #expect(try await again.value.status == .ok)
        }
    }

    /// A quiet stream sends a heartbeat every interval, and lines as they come. Tested on the
    /// stream itself, which can be watched while it runs, so no sleep decides the outcome.
    @Test func aQuietStreamSendsHeartbeatsAndLinesAsTheyCome() async throws {
        let (live, lines) = AsyncStream.makeStream(of: LogLine.self)
        let (items, ending) = AsyncStream.makeStream(of: LogsController.StreamItem.self, bufferingPolicy: .bufferingNewest(1_000))
        let written = RecordingBodyWriter()
        let streaming = Task {
            var writer: any ResponseBodyWriter = written
            try await LogsController.stream(
                live, filter: "web", heartbeat: .milliseconds(20), until: nil, items: items, ending: ending, into: &writer)
        }
        try await Self.waitUntil { written.text.components(separatedBy: ": heartbeat\n\n").count > 2 }
        lines.yield(LogLine(process: "worker.1", message: "not for this stream"))
        lines.yield(LogLine(process: "web.1", message: "a live line"))
        try await Self.waitUntil { written.text.contains("a live line") }
        lines.finish()
        try await streaming.value
        #expect(!written.text.contains("not for this stream"))
    }

    static func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<200 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition not met within 2 s")
    }
}

/// Keeps what a response body writes, to watch a stream while it runs.
final class RecordingBodyWriter: ResponseBodyWriter, Sendable {
    private let buffer = Mutex("")
    var text: String { buffer.withLock { $0 } }

    func write(_ part: ByteBuffer) async throws {
        buffer.withLock { $0 += String(buffer: part) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
