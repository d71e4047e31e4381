import Foundation
import Testing
@testable import PvdifyModel

@Suite struct RulesTests {
    @Test(arguments: ["a", "myapp", "my-app-2", String(repeating: "a", count: 30)])
    func validAppNames(_ name: String) { #expect(Rules.appName(name) == nil) }

    @Test(arguments: ["", "MyApp", "1app", "-app", "app-", "my_app", "my.app", "ünï", String(repeating: "a", count: 31)])
    func invalidAppNames(_ name: String) { #expect(Rules.appName(name) != nil) }

    @Test func previewNamesMayBeLonger() {
        #expect(Rules.appName(String(repeating: "a", count: 40), maxLength: 63) == nil)
    }

    @Test(arguments: ["example.com", "www.my-app.co.uk", "a.b", "xn--bcher-kva.example"])
    func validHostnames(_ name: String) { #expect(Rules.hostname(name) == nil) }

    @Test(arguments: ["", "localhost", "10.0.0.1", "-a.com", "a-.com", "a..com", ".a.com", "a.com.", "A.com", "a_b.com", "*.a.com", "a.123",
                      String(repeating: "a", count: 64) + ".com"])
    func invalidHostnames(_ name: String) { #expect(Rules.hostname(name) != nil) }

    @Test(arguments: ["NODE_ENV", "_X", "a1", "DATABASE_URL"])
    func validConfigKeys(_ key: String) { #expect(Rules.configKey(key) == nil) }

    @Test(arguments: ["", "1A", "A-B", "A B", "PORT", "A=B", "Ä"])
    func invalidConfigKeys(_ key: String) { #expect(Rules.configKey(key) != nil) }

    @Test(arguments: [
        "busybox", "library/busybox:1.36", "ghcr.io/org/app:v1.2.3", "127.0.0.1:5000/pvdify-test:v1", "localhost/app",
        "registry.local:5000/a/b@sha256:" + String(repeating: "0f", count: 32),
    ])
    func validImages(_ image: String) { #expect(Rules.imageReference(image) == nil, "\(image)") }

    @Test(arguments: ["", "https://ghcr.io/a:b", "Org/App", "app:", "a//b", "app:bad tag", "a;b", "app@sha256:12", "app:" + String(repeating: "t", count: 129)])
    func invalidImages(_ image: String) { #expect(Rules.imageReference(image) != nil, "\(image)") }

    @Test func commandsAreOneLine() {
        #expect(Rules.command("npm start && echo 'ok'") == nil)
        #expect(Rules.command("a\nb") != nil)
    }
}

@Suite struct ValueTests {
    @Test func durations() {
        #expect(DurationText("30s")?.milliseconds == 30_000)
        #expect(DurationText("500ms")?.milliseconds == 500)
        #expect(DurationText("1m30s")?.milliseconds == 90_000)
        #expect(DurationText("2h")?.milliseconds == 7_200_000)
        #expect(DurationText("90s")?.description == "90s")
        #expect(DurationText("120s")?.description == "2m")
        for bad in ["", "30", "s", "1x", "-1s", "1.5s", "1s2"] { #expect(DurationText(bad) == nil, "\(bad)") }
        // Past Int: refused, not a crash.
        #expect(DurationText(String(repeating: "999999999h", count: 3_000)) == nil)
    }

    @Test func memorySizes() {
        #expect(MemorySize("512M")?.bytes == 512 << 20)
        #expect(MemorySize("1G")?.bytes == 1 << 30)
        #expect(MemorySize("256Mi")?.bytes == 256 << 20)
        #expect(MemorySize("1048576")?.bytes == 1 << 20)
        for bad in ["", "M", "1.5G", "12T", "-1M", "lots", "999999999999G", "99999999999Gi"] { #expect(MemorySize(bad) == nil, "\(bad)") }
    }

    @Test func timestampsRoundTrip() throws {
        let date = try #require(Timestamps.parse("2026-01-05T10:30:00Z"))
        #expect(Timestamps.format(date) == "2026-01-05T10:30:00Z")
        #expect(Timestamps.parse("2026-01-05T12:30:00+02:00") == date)
        #expect(Timestamps.parse("2026-01-05T10:30:00.250Z") != nil)
        #expect(Timestamps.parse("yesterday") == nil)
        // Every RFC 3339 date-time, including what Foundation's ISO 8601 parser refuses.
        #expect(Timestamps.parse("2026-01-05t10:48:00+00:18") == date)
        #expect(Timestamps.parse("0557-12-22T15:14:07-00:18") == Date(timeIntervalSince1970: -44_559_188_873))
        #expect(Timestamps.parse("2024-02-29T00:00:00Z") != nil)
        #expect(Timestamps.parse("2026-02-29T00:00:00Z") == nil)
        #expect(Timestamps.parse("2026-01-05T10:30:00") == nil)
        #expect(Timestamps.parse("2026-01-05T10:30:00+24:00") == nil)
        #expect(Timestamps.parse("") == nil)
    }

    @Test func tokensReachTheirAppsAndTheStoresPreviewsOfThem() {
        let token = APIToken(id: "t", name: "n", scopes: [.deploy], apps: ["web"], createdAt: .now, lastUsedAt: nil)
        #expect(token.reaches(app: "web", previewOf: nil))
        #expect(token.reaches(app: "web-pr-12", previewOf: "web"))
        // A name that only looks like a preview is not one.
        #expect(!token.reaches(app: "web-pr-12", previewOf: nil))
        #expect(!token.reaches(app: "web-pr-12", previewOf: "other"))
        #expect(!token.reaches(app: "webshop", previewOf: nil))
        #expect(token.allows(.read))
        #expect(token.allows(.deploy))
        #expect(!token.allows(.write))
    }

    @Test func appLimitedTokensNeverActAsAdmin() {
        let limited = APIToken(id: "t", name: "n", scopes: [.admin], apps: ["web"], createdAt: .now, lastUsedAt: nil)
        #expect(limited.allows(.write))
        #expect(!limited.allows(.admin))
        let admin = APIToken(id: "a", name: "a", scopes: [.admin], apps: nil, createdAt: .now, lastUsedAt: nil)
        #expect(admin.allows(.admin))
    }

    @Test func tokensGrantNoMoreThanTheyHave() {
        let admin = APIToken(id: "a", name: "a", scopes: [.admin], apps: nil, createdAt: .now, lastUsedAt: nil)
        #expect(admin.mayGrant(scopes: [.admin], apps: nil))
        let writer = APIToken(id: "w", name: "w", scopes: [.write], apps: ["web"], createdAt: .now, lastUsedAt: nil)
        #expect(writer.mayGrant(scopes: [.deploy], apps: ["web"]))
        #expect(!writer.mayGrant(scopes: [.admin], apps: ["web"]))
        #expect(!writer.mayGrant(scopes: [.read], apps: nil))
        #expect(!writer.mayGrant(scopes: [.read], apps: ["web", "other"]))
    }

    @Test func tokensExpire() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let token = APIToken(
            id: "t", name: "n", scopes: [.read], apps: nil, createdAt: now, lastUsedAt: nil, expiresAt: now.addingTimeInterval(60))
        #expect(!token.isExpired(at: now))
        #expect(token.isExpired(at: now.addingTimeInterval(60)))
        let forever = APIToken(id: "u", name: "u", scopes: [.read], apps: nil, createdAt: now, lastUsedAt: nil)
        #expect(!forever.isExpired(at: Date.distantFuture))
    }
}

@Suite struct SerializationTests {
    @Test func writesWhatJSONDecoderReadsBack() throws {
        let value: JSONValue = [
            "text": "quote \" backslash \\ newline \n tab \t bell \u{07} slash / ünïcode",
            "numbers": [1, -2, .double(0.5), .double(1e21)],
            "flags": [true, false],
            "nothing": .null,
            "nested": ["b": [], "a": [:]],
        ]
        let bytes = value.serialized()
        #expect(try JSONValue.parse(json: Data(bytes)) == value)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"flags":[true,false],"nested":{"a":{},"b":[]}"#))
        #expect(!String(decoding: bytes, as: UTF8.self).contains("\\/"))
    }
}

@Suite struct TokenLifetimeTests {
    @Test func readsDaysHoursMinutesAndSeconds() {
        #expect(TokenLifetime.seconds("30d") == 30 * 86_400)
        #expect(TokenLifetime.seconds("12h") == 12 * 3_600)
        #expect(TokenLifetime.seconds("90m") == 90 * 60)
        #expect(TokenLifetime.seconds("2s") == 2)
        #expect(TokenLifetime.seconds("1d12h") == 36 * 3_600)
    }

    @Test func refusesNonsenseZeroAndTooLong() {
        for bad in ["", "d", "0s", "0d", "1.5d", "-1d", "10", "500ms", "1d1d", "3651d", "1w", "d1"] {
            #expect(TokenLifetime.seconds(bad) == nil, "\(bad)")
        }
    }
}
