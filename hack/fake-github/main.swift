// A GitHub stand-in for pvdify's tests, on 127.0.0.1 only. It prints
// `fake-github listening on 127.0.0.1:PORT` once it is up. Usage: FakeGitHub [--port N (0: any free port)]
//
// What it serves is split by GitHub service, one file each:
// - FakeGitHub+OIDC.swift: the GitHub Actions OIDC issuer (OpenID configuration, JWKS).
// - FakeGitHub+App.swift: the GitHub App API (installation tokens, deployments and statuses).
// - FakeGitHub+Admin.swift: `/__admin` calls for tests (mint OIDC tokens, rotate the key, faults,
//   register the App, read the deployments).
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StandInKit

var port = 0
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next() ?? "") ?? 0
    default:
        FileHandle.standardError.write(Data("usage: FakeGitHub [--port N]\n".utf8))
        exit(2)
    }
}

let fake = try FakeGitHub()

@Sendable func handle(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
    let body = try await request.body.collect(upTo: 1 << 20)
    let host = request.head.authority ?? "127.0.0.1"
    let authorization = request.headers[.authorization] ?? ""
    let bearer = ["Bearer ", "bearer ", "token "].first(where: authorization.hasPrefix).map { String(authorization.dropFirst($0.count)) }
    let call = FakeGitHub.Call(
        method: request.method.rawValue, path: request.uri.path, baseURL: "http://\(host)", body: Data(body.readableBytesView),
        bearer: bearer)
    var reply: FakeGitHub.Reply
    if let fault = await fake.takeFault(call) {
        if fault.delayMilliseconds > 0 { try await Task.sleep(for: .milliseconds(fault.delayMilliseconds)) }
        if let status = fault.status {
            reply = .json(["message": "Server Error"], status: status)
        } else {
            reply = try await fake.respond(call)
        }
    } else {
        reply = try await fake.respond(call)
    }
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
}

try await runStandIn(name: "fake-github", port: port, handle: handle)
