import Foundation
import PvdifyDrivers
import PvdifyModel
import Testing
@testable import PvdifyControllers

@Suite struct CaddyConfigBuilderTests {
    let settings = RouteSettings(httpPort: 18080, httpsPort: 18443, tls: .internal, baseDomain: "pvdify.test", adminListen: "127.0.0.1:2999")
    let other: JSONValue = [
        "admin": ["listen": "127.0.0.1:2999"],
        "apps": [
            "http": ["servers": ["other": ["listen": [":9999"], "routes": []]]],
            "tls": ["automation": ["policies": [["subjects": ["mine.example"]]]]],
        ],
    ]
    let routes = [
        AppRoute(app: "web", hosts: ["web.pvdify.test", "web.example.com"], upstreams: ["127.0.0.1:41001", "127.0.0.1:41002"]),
        AppRoute(app: "idle", hosts: ["idle.pvdify.test"], upstreams: []),
    ]

    @Test func mergeKeepsEverythingElseAndIsIdempotent() {
        let merged = CaddyConfigBuilder.merged(current: other, routes: routes, settings: settings)
        #expect(merged["admin"] == other["admin"])
        #expect(merged["apps"]?["http"]?["servers"]?["other"] == other["apps"]?["http"]?["servers"]?["other"])
        let policies = merged["apps"]?["tls"]?["automation"]?["policies"]?.arrayValue ?? []
        #expect(policies.count == 2)
        #expect(policies[0] == ["subjects": ["mine.example"]])
        #expect(policies[1]["@id"] == "pvdify-tls")
        #expect(policies[1]["subjects"] == ["idle.pvdify.test", "web.pvdify.test", "web.example.com"])
        #expect(CaddyConfigBuilder.merged(current: merged, routes: routes, settings: settings) == merged)
        // Turning TLS off removes pvdify's HTTPS server and policy, and nothing else.
        let plain = CaddyConfigBuilder.merged(current: merged, routes: routes, settings: RouteSettings(httpPort: 18080, tls: .off))
        #expect(plain["apps"]?["http"]?["servers"]?["pvdify_https"] == nil)
        #expect(plain["apps"]?["tls"]?["automation"]?["policies"]?.arrayValue?.count == 1)
    }

    @Test func routesProxyOrAnswer503AndUnknownHostsGet404() throws {
        let merged = CaddyConfigBuilder.merged(current: .null, routes: routes, settings: settings)
        #expect(merged["admin"]?["listen"] == "127.0.0.1:2999")  // an empty Caddy keeps its admin address
        let http = try #require(merged["apps"]?["http"]?["servers"]?["pvdify_http"])
        #expect(http["listen"] == [":18080"])
        #expect(http["automatic_https"]?["disable"] == true)
        let httpRoutes = try #require(http["routes"]?.arrayValue)
        #expect(httpRoutes.map { $0["@id"] } == ["pvdify-http-app-idle", "pvdify-http-app-web", "pvdify-http-fallback"])
        #expect(httpRoutes[0]["handle"]?[0]?["status_code"] == 503)
        #expect(httpRoutes[0]["handle"]?[0]?["body"]?.stringValue?.contains("idle is not running") == true)
        let proxy = try #require(httpRoutes[1]["handle"]?[0])
        #expect(proxy["handler"] == "reverse_proxy")
        #expect(proxy["upstreams"] == [["dial": "127.0.0.1:41001"], ["dial": "127.0.0.1:41002"]])
        #expect(proxy["load_balancing"]?["try_duration"] == "5s")
        #expect(httpRoutes[1]["match"] == [["host": ["web.pvdify.test", "web.example.com"]]])
        #expect(httpRoutes[2]["handle"]?[0]?["status_code"] == 404)
        let https = try #require(merged["apps"]?["http"]?["servers"]?["pvdify_https"])
        #expect(https["listen"] == [":18443"])
        #expect(https["routes"]?.arrayValue?.count == 3)
    }

    @Test func acmeRedirectsHTTP() throws {
        let acme = RouteSettings(httpPort: 80, httpsPort: 443, tls: .acme)
        let merged = CaddyConfigBuilder.merged(current: .null, routes: routes, settings: acme)
        let httpRoutes = try #require(merged["apps"]?["http"]?["servers"]?["pvdify_http"]?["routes"]?.arrayValue)
        #expect(httpRoutes[0]["handle"]?[0]?["status_code"] == 308)
        #expect(httpRoutes[0]["handle"]?[0]?["headers"]?["Location"] == ["https://{http.request.host}{http.request.uri}"])
        #expect(merged["apps"]?["tls"] == nil)  // acme: Caddy's own automatic HTTPS, no policy of pvdify's
    }

    @Test func etagIsFNV1aOfTheBody() {
        let body = Data(#"{"admin":{"listen":"127.0.0.1:2999"},"apps":{"pki":{"certificate_authorities":{"local":{"install_trust":false}}}}}"#.utf8 + [0x0a])
        #expect(CaddyETag.etag(path: "/config/", body: body) == "\"/config/ 63c1662a\"")
        // Leading zeros are kept (Caddy formats the hash as 8 hex digits).
        #expect(CaddyETag.etag(path: "/config/", body: Data([0x31])).count == "\"/config/ 00000000\"".count)
        let request = CaddyRequests.replaceConfig(Data("{}".utf8), etag: "\"/config/ 1\"")
        #expect(request.method == "PATCH")
        #expect(request.path == "/config/")
        #expect(request.headers["If-Match"] == "\"/config/ 1\"")
    }
}
