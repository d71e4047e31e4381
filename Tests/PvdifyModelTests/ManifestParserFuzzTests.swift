import Foundation
import Testing
@testable import PvdifyModel

/// A bounded fuzz of the manifest parser: documents from examples/ and manifests/app.yaml, as YAML
/// and JSON, mutated at random (byte flips, truncations, duplications, deep nesting, anchors and
/// aliases) from a fixed seed. Every input must be parsed or refused with a `ValidationError`, never
/// crash, and the process's peak memory must stay bounded. Fixed iteration count and time cap.
@Suite struct ManifestParserFuzzTests {
    static let iterations = 3_000
    static let timeCap: Duration = .seconds(30)
    /// Far below what an expanded alias bomb needs (gigabytes), far above a test process's own use.
    static let peakMemoryBoundKiB = 1_024 * 1_024

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func seeds() throws -> [String] {
        var files = ["manifests/app.yaml"]
        let examples = root.appendingPathComponent("examples")
        if let walker = FileManager.default.enumerator(atPath: examples.path) {
            for case let path as String in walker where path.hasSuffix(".yaml") { files.append("examples/" + path) }
        }
        let texts = try files.map { try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8) }
        // Each seed also as JSON, so the strict JSON scanner is fuzzed beside the YAML preflight.
        let json = try texts.flatMap { try YAMLDocuments.parse($0).map { String(decoding: $0.value.serialized(), as: UTF8.self) } }
        return texts + json
    }

    @Test func mutatedManifestsNeverCrashAndStayBounded() throws {
        let seeds = try Self.seeds()
        try #require(seeds.count >= 4)
        var random = SplitMix64(seed: 0x5eed_f00d)
        var outcomes = (parsed: 0, refused: 0)
        let started = ContinuousClock.now
        for iteration in 0..<Self.iterations where ContinuousClock.now - started < Self.timeCap {
            let seed = seeds[Int(random.next() % UInt64(seeds.count))]
            var bytes = Array(seed.utf8)
            for _ in 0...(random.next() % 3) { bytes = Self.mutate(bytes, &random) }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                if text.first == "{" || text.first == "[" {
                    _ = try AppManifest.parse(try JSONValue.parseStrict(json: Data(bytes)))
                } else {
                    for document in try YAMLDocuments.parse(text) { _ = try AppManifest.parse(document.value) }
                }
                outcomes.parsed += 1
            } catch is ValidationError {
                outcomes.refused += 1
            } catch {
                Issue.record("iteration \(iteration): \(type(of: error)) is not a ValidationError: \(error)")
            }
        }
        #expect(outcomes.refused > 0 && outcomes.parsed > 0, "\(outcomes)")
        let peak = try #require(Self.peakMemoryKiB())
        #expect(peak < Self.peakMemoryBoundKiB, "peak RSS \(peak) KiB")
    }

    /// One random mutation of a document's bytes.
    static func mutate(_ bytes: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        guard !bytes.isEmpty else { return Array("a: b".utf8) }
        var bytes = bytes
        let at = Int(random.next() % UInt64(bytes.count))
        switch random.next() % 7 {
        case 0:  // flip a bit
            bytes[at] ^= UInt8(1 << (random.next() % 8))
        case 1:  // truncate
            bytes.removeSubrange(at...)
        case 2:  // duplicate a slice in place
            let end = min(bytes.count, at + 1 + Int(random.next() % 200))
            bytes.insert(contentsOf: bytes[at..<end], at: at)
        case 3:  // nest deeply, in flow style
            let depth = 1 + Int(random.next() % 100)
            bytes = Array(repeating: UInt8(ascii: "["), count: depth) + bytes + Array(repeating: UInt8(ascii: "]"), count: depth)
        case 4:  // an anchor and an alias of it
            bytes.insert(contentsOf: Array(" &a0 ".utf8), at: at)
            bytes.append(contentsOf: Array("\nextra: *a0\n".utf8))
        case 5:  // a structural character where it does not belong
            let specials: [UInt8] = Array(":-[]{},'\"#&*!|>%@`\t\n".utf8)
            bytes.insert(specials[Int(random.next() % UInt64(specials.count))], at: at)
        default:  // a long scalar
            bytes.insert(contentsOf: Array(repeating: UInt8(ascii: "x"), count: Int(random.next() % 70_000)), at: at)
        }
        return bytes
    }

    /// This process's peak resident memory in KiB (`VmHWM` in /proc/self/status).
    static func peakMemoryKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
    }
}

/// A small, fast, seedable generator, so a failing input can be reproduced from the seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49eb_311b_d133
        return z ^ (z >> 31)
    }
}
