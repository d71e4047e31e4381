import Foundation
import Hummingbird
import PvdifyModel
import PvdifyStore

/// `/apps/{name}/domains`: custom hostnames; the route and DNS reconcilers report their status.
struct DomainsController {
    let services: APIServices

    func register(in routes: RouteTable) {
        routes.add(.get, "/api/v1/apps/{name}/domains", scope: .read, list)
        routes.add(.post, "/api/v1/apps/{name}/domains", scope: .write, add)
        routes.add(.delete, "/api/v1/apps/{name}/domains/{domain}", scope: .write, remove)
        routes.add(.post, "/api/v1/apps/{name}/domains/{domain}/verify", scope: .write, verify)
    }

    @Sendable func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let domains = try await services.store.domains(context.parameter("name"))
        return try .json(["domains": .array(domains.map(Present.domain))])
    }

    @Sendable func add(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var request = request
        let name = context.parameter("name")
        let body = try await request.objectBody(context: context, limit: services.settings.maxBodyBytes)!
        try body.rejectUnknown(allowed: ["name"])
        let hostname = try body.requiredString("name").lowercased()
        if let problem = Rules.hostname(hostname) { throw APIError.invalid("Domain \(problem)", field: "name") }
        let domain = try await services.store.addDomain(name, name: hostname)
        services.event(name, "Domain \(hostname) added by \(context.actor)")
        var response = try Response.json(Present.domain(domain), status: .created)
        response.headers[.location] = "/api/v1/apps/\(name)/domains/\(hostname)"
        return response
    }

    @Sendable func remove(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = context.parameter("name")
        let hostname = context.parameter("domain").lowercased()
        try await services.store.removeDomain(name, name: hostname)
        services.event(name, "Domain \(hostname) removed by \(context.actor)")
        return .noContent()
    }

    /// 202: the TXT record to create; the DNS reconciler confirms it.
    @Sendable func verify(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = context.parameter("name")
        let hostname = context.parameter("domain").lowercased()
        let token = "pvdify-" + Store.randomHex(bytes: 16)
        let domain = try await services.store.requestVerification(name, name: hostname, token: token)
        services.event(name, "Verification of \(hostname) requested by \(context.actor)")
        return try .json(
            [
                "domain": .string(domain.name),
                "status": .string(domain.status.rawValue),
                "verify_token": .string(token),
                "dns_record": .string("\(domain.verifyRecordName) TXT \(token)"),
            ], status: .accepted)
    }
}
