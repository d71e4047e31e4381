import Foundation
import PvdifyModel
import Testing
@testable import pvdify

/// Tables, fields, log lines, colours, diffs and the event-stream parser.
@Suite struct OutputFormattingTests {
    @Test func tablesAlignColumns() {
        let table = Output.table(["name", "status"], [["hello", "running"], ["a-much-longer-name", "-"]])
        #expect(table == """
            NAME                STATUS
            hello               running
            a-much-longer-name  -
            """)
        #expect(Output.fields([("image", "r/i:1"), ("processes", "web=2")]) == "image:     r/i:1\nprocesses: web=2")
    }

    @Test func cellsShowJSONValues() {
        #expect(Output.cell(nil) == "-")
        #expect(Output.cell(.null) == "-")
        #expect(Output.cell("") == "-")
        #expect(Output.cell(3) == "3")
        #expect(Output.cell(.double(0.5)) == "0.5")
        #expect(Output.cell(.double(2)) == "2")
        #expect(Output.cell(true) == "yes")
        #expect(Output.cell(["a", "b"]) == "a, b")
        #expect(Output.cell(["web": 2, "api": 1]) == "api=1, web=2")
        #expect(Output.time("2026-01-05T10:30:00Z") == "2026-01-05 10:30:00")
    }

    @Test func jsonIsPrettyAndSorted() {
        let text = Output.json(["b": 1, "a": "x/y"])
        #expect(text.contains("x/y"))
        #expect(text.range(of: "\"a\"")!.lowerBound < text.range(of: "\"b\"")!.lowerBound)
    }

    @Test func deployLogLinesLoseTheirTimestamp() {
        #expect(Output.deployLogMessage("2026-01-05T10:30:00Z Started web.1 on 127.0.0.1:41000") == "Started web.1 on 127.0.0.1:41000")
        #expect(Output.deployLogMessage("no timestamp here") == "no timestamp here")
    }

    @Test func logLinesAreColouredByProcessOnlyWhenAsked() {
        let line: JSONValue = ["timestamp": "2026-01-05T10:30:00Z", "process": "web.1", "message": "GET / 200"]
        #expect(Output.logLine(line, painter: Painter(enabled: false)) == "2026-01-05T10:30:00Z web.1: GET / 200")
        let coloured = Output.logLine(line, painter: Painter(enabled: true))
        #expect(coloured.contains("\u{1B}["))
        #expect(coloured.hasSuffix(": GET / 200"))
        let painter = Painter(enabled: true)
        // Instances of one type share its colour; types differ.
        #expect(painter.process("web.1").prefix(5) == painter.process("web.2").prefix(5))
        #expect(painter.process("web.1").prefix(5) != painter.process("worker.1").prefix(5))
        #expect(painter.process("api").hasPrefix("\u{1B}[2m"))
    }

    @Test func diffsAreColouredOnlyWhenAsked() {
        let diff = "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new"
        #expect(Output.coloredDiff(diff, painter: Painter(enabled: false)) == diff)
        let coloured = Output.coloredDiff(diff, painter: Painter(enabled: true))
        #expect(coloured.contains("\u{1B}[31m-old"))
        #expect(coloured.contains("\u{1B}[32m+new"))
    }

    @Test func serverSentEventsSplitAcrossChunks() {
        var events = ServerSentEvents()
        #expect(events.feed(": connected\n\ndata: {\"a\"") == [])
        #expect(events.feed(":1}\n\n: heartbeat\n\ndata: two\r\n\r\n") == ["{\"a\":1}", "two"])
        #expect(events.feed("data: x\ndata: y\n") == [])
        #expect(events.feed("\n") == ["x\ny"])
    }

    @Test func unifiedDiffOfManifests() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
        let new = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\n"
        #expect(UnifiedDiff.make(old: old, new: old, oldName: "x", newName: "y") == "")
        #expect(UnifiedDiff.make(old: old, new: new, oldName: "live", newName: "new") == """
            --- live
            +++ new
            @@ -1,5 +1,5 @@
             a
            -b
            +B
             c
             d
             e
            @@ -8,3 +8,4 @@
             h
             i
             j
            +k

            """)
        #expect(UnifiedDiff.make(old: "", new: "x\ny\n", oldName: "/dev/null", newName: "n") == "--- /dev/null\n+++ n\n@@ -0,0 +1,2 @@\n+x\n+y\n")
        #expect(UnifiedDiff.make(old: "x\n", new: "", oldName: "o", newName: "n") == "--- o\n+++ n\n@@ -1 +0,0 @@\n-x\n")
    }

    @Test func apiErrorsBecomeTheirMessage() {
        let reply = APIClient.Reply(
            status: 404, contentType: "application/json",
            body: Data(#"{"error":{"code":"not_found","message":"App 'x' not found"}}"#.utf8))
        let error = APIClient.failure(reply)
        #expect(error.message == "App 'x' not found")
        #expect(error.httpStatus == 404)
        let invalid = APIClient.failure(.init(
            status: 422, contentType: "", body: Data(#"{"error":{"code":"invalid_request","message":"must be 1 to 256","field":"vars.X"}}"#.utf8)))
        #expect(invalid.message == "vars.X: must be 1 to 256")
        #expect(APIClient.failure(.init(status: 502, contentType: "", body: Data("bad gateway".utf8))).message.contains("502"))
    }
}
