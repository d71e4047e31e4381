import PvdifyModel

/// Builds pvdify's part of Caddy's config and merges it into whatever else Caddy runs, which it
/// leaves exactly as it was. pvdify owns the servers `pvdify_http` and `pvdify_https` and one TLS
/// automation policy, all marked with `@id`s. Pure functions.
enum CaddyConfigBuilder {
    static let httpServer = "pvdify_http"
    static let httpsServer = "pvdify_https"
    static let tlsPolicyID = "pvdify-tls"

    /// How long Caddy keeps retrying other upstreams when a dial fails (an instance being replaced).
    static let tryDuration = "5s"

    /// The current config with pvdify's servers and TLS policy set to match `routes`.
    static func merged(current: JSONValue, routes: [AppRoute], settings: RouteSettings) -> JSONValue {
        var root = current.objectValue ?? ["admin": ["listen": .string(settings.adminListen)]]
        var apps = root["apps"]?.objectValue ?? [:]
        var http = apps["http"]?.objectValue ?? [:]
        var servers = http["servers"]?.objectValue ?? [:]
        let sorted = routes.sorted { $0.app < $1.app }
        servers[httpServer] = httpServerConfig(sorted, settings: settings)
        if settings.tls == .off {
            servers.removeValue(forKey: httpsServer)
        } else {
            servers[httpsServer] = httpsServerConfig(sorted, settings: settings)
        }
        http["servers"] = .object(servers)
        apps["http"] = .object(http)

        let policy = settings.tls == .internal ? internalPolicy(sorted) : nil
        if var tls = apps["tls"]?.objectValue {
            var automation = tls["automation"]?.objectValue ?? [:]
            var policies = (automation["policies"]?.arrayValue ?? []).filter { $0["@id"] != .string(tlsPolicyID) }
            if let policy { policies.append(policy) }
            automation["policies"] = .array(policies)
            tls["automation"] = .object(automation)
            apps["tls"] = .object(tls)
        } else if let policy {
            apps["tls"] = ["automation": ["policies": [policy]]]
        }
        root["apps"] = .object(apps)
        return .object(root)
    }

    static func httpServerConfig(_ routes: [AppRoute], settings: RouteSettings) -> JSONValue {
        var handlers: [JSONValue]
        if settings.tls == .acme {
            let port = settings.httpsPort == 443 ? "" : ":\(settings.httpsPort)"
            let hosts = routes.flatMap(\.hosts)
            handlers = hosts.isEmpty ? [] : [[
                "@id": "pvdify-http-redirect",
                "match": [["host": .strings(hosts)]],
                "handle": [[
                    "handler": "static_response", "status_code": 308,
                    "headers": ["Location": .strings(["https://{http.request.host}\(port){http.request.uri}"])],
                ]],
                "terminal": true,
            ]]
        } else {
            handlers = routes.map { appRoute($0, server: "http") }
        }
        handlers.append(fallback(server: "http"))
        return [
            "@id": "pvdify-http-server",
            "listen": .strings([":\(settings.httpPort)"]),
            "automatic_https": ["disable": true],
            "routes": .array(handlers),
        ]
    }

    static func httpsServerConfig(_ routes: [AppRoute], settings: RouteSettings) -> JSONValue {
        [
            "@id": "pvdify-https-server",
            "listen": .strings([":\(settings.httpsPort)"]),
            "automatic_https": ["disable_redirects": true],
            "routes": .array(routes.map { appRoute($0, server: "https") } + [fallback(server: "https")]),
        ]
    }

    /// Routes an app's hostnames to its upstreams, or answers 503 with a page naming the app.
    static func appRoute(_ route: AppRoute, server: String) -> JSONValue {
        let handler: JSONValue
        if route.upstreams.isEmpty {
            handler = [
                "handler": "static_response", "status_code": 503,
                "headers": ["Content-Type": ["text/html; charset=utf-8"], "Retry-After": ["5"]],
                "body": .string(page(title: "\(route.app) is not running", text: "The app \(route.app) has no healthy instance right now.")),
            ]
        } else {
            handler = [
                "handler": "reverse_proxy",
                "upstreams": .array(route.upstreams.map { ["dial": .string($0)] }),
                "load_balancing": [
                    "selection_policy": ["policy": "round_robin"],
                    "try_duration": .string(tryDuration),
                    "try_interval": "100ms",
                ],
                "health_checks": ["passive": ["fail_duration": "5s", "max_fails": 1]],
            ]
        }
        return [
            "@id": .string("pvdify-\(server)-app-\(route.app)"),
            "match": [["host": .strings(route.hosts)]],
            "handle": [handler],
            "terminal": true,
        ]
    }

    /// Hostnames no app has: 404 (never Caddy's empty 200).
    static func fallback(server: String) -> JSONValue {
        [
            "@id": .string("pvdify-\(server)-fallback"),
            "handle": [[
                "handler": "static_response", "status_code": 404,
                "headers": ["Content-Type": ["text/html; charset=utf-8"]],
                "body": .string(page(title: "No app here", text: "No app is served at {http.request.host}.")),
            ]],
        ]
    }

    static func internalPolicy(_ routes: [AppRoute]) -> JSONValue? {
        let hosts = routes.flatMap(\.hosts)
        guard !hosts.isEmpty else { return nil }
        return ["@id": .string(tlsPolicyID), "subjects": .strings(hosts), "issuers": [["module": "internal"]]]
    }

    static func page(title: String, text: String) -> String {
        "<!doctype html><html><head><title>\(title)</title></head><body><h1>\(title)</h1><p>\(text)</p><p>pvdify</p></body></html>\n"
    }
}
