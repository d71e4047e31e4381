import Foundation
import Testing

@testable import PvdifyDrivers

/// One multiplexed frame: the 8-byte header and the payload.
func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
    let payload = Array(text.utf8)
    let n = UInt32(payload.count)
    return [stream, 0, 0, 0, UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + payload
}

@Suite struct LogFrameDecoderTests {
    @Test func demultiplexesStdoutAndStderr() {
        var decoder = LogFrameDecoder()
        let lines = decoder.append(frame(1, "hello\n") + frame(2, "oops\n") + frame(1, "bye\n"))
        #expect(lines == [.init(stream: .stdout, text: "hello"), .init(stream: .stderr, text: "oops"), .init(stream: .stdout, text: "bye")])
        #expect(decoder.finish().isEmpty)
    }

    @Test func framesMaySplitAnywhere() {
        let bytes = frame(1, "first line\n") + frame(2, "second\n")
        var decoder = LogFrameDecoder()
        var lines: [LogLine] = []
        for byte in bytes { lines += decoder.append([byte]) }
        #expect(lines.map(\.text) == ["first line", "second"])
        #expect(lines.map(\.stream) == [.stdout, .stderr])
    }

    @Test func linesMaySpanFramesAndFramesHoldSeveralLines() {
        var decoder = LogFrameDecoder()
        #expect(decoder.append(frame(1, "par")).isEmpty)
        #expect(decoder.append(frame(1, "tial\nnext\nlast")).map(\.text) == ["partial", "next"])
        #expect(decoder.finish() == [.init(stream: .stdout, text: "last")])
    }

    @Test func leadingTimestampsAreParsedWhenAsked() {
        var decoder = LogFrameDecoder(timestamps: true)
        let lines = decoder.append(frame(1, "2026-11-29T01:41:47Z worker tick 4\n"))
        #expect(lines == [.init(stream: .stdout, timestamp: Date(timeIntervalSince1970: 1_795_916_507), text: "worker tick 4")])
        var plain = LogFrameDecoder()
        #expect(plain.append(frame(1, "2026-11-29T01:41:47Z x\n")).first?.text == "2026-11-29T01:41:47Z x")
    }

    @Test func emptyFramesAreIgnored() {
        var decoder = LogFrameDecoder()
        #expect(decoder.append(frame(1, "")).isEmpty)
        #expect(decoder.finish().isEmpty)
    }
}

@Suite struct LineSplitterTests {
    @Test func splitsOnNewlinesAndKeepsTheRest() {
        var splitter = LineSplitter()
        #expect(splitter.append(Array("{\"a\":1}\n{\"b\"".utf8)) == [Array("{\"a\":1}".utf8)])
        #expect(splitter.append(Array(":2}\r\n\n".utf8)) == [Array("{\"b\":2}".utf8), []])
        #expect(splitter.finish() == nil)
        #expect(splitter.append(Array("tail".utf8)).isEmpty)
        #expect(splitter.finish() == Array("tail".utf8))
    }
}
