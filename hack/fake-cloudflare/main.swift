// A Cloudflare API v4 stand-in for pvdify's tests: serves `/client/v4` (tokens/verify, zones, DNS
// records) and `/__admin` on 127.0.0.1 only, and prints `fake-cloudflare listening on 127.0.0.1:PORT`
// once it is up. Usage: FakeCloudflare [--port N (0: any free port)] [--token T]... [--zone NAME]...
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StandInKit

var port = 0
var tokens: [String] = []
var zones: [String] = []
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next() ?? "") ?? 0
    case "--token": tokens += [arguments.next() ?? ""].filter { !$0.isEmpty }
    case "--zone": zones += [arguments.next() ?? ""].filter { !$0.isEmpty }
    default:
        FileHandle.standardError.write(Data("usage: FakeCloudflare [--port N] [--token T]... [--zone NAME]...\n".utf8))
        exit(2)
    }
}

let fake = FakeCloudflare(tokens: tokens)
for zone in zones { await fake.addZone(zone.lowercased()) }

@Sendable func handle(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
    let body = try await request.body.collect(upTo: 1 << 20)
    let call = FakeCloudflare.Call(
        method: request.method.rawValue, path: request.uri.path,
        query: request.uri.queryParameters.map { (String($0.key), String($0.value)) },
        authorization: request.headers[.authorization], body: Data(body.readableBytesView))
    var reply: FakeReply
    if let fault = await fake.takeFault(method: call.method, path: call.path) {
        if fault.delayMilliseconds > 0 { try await Task.sleep(for: .milliseconds(fault.delayMilliseconds)) }
        if let status = fault.status {
            reply = status == 429
                ? .failure(429, 971, "Please wait and consider throttling your request speed")
                : .failure(status, 10002, "An unknown error has occurred")
            if let seconds = fault.retryAfter { reply.headers.append(("Retry-After", String(seconds))) }
        } else {
            reply = await fake.respond(call)
        }
    } else {
        reply = await fake.respond(call)
    }
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    for (name, value) in reply.headers { if let field = HTTPField.Name(name) { headers[field] = value } }
    return Response(status: .init(code: reply.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
}

try await runStandIn(name: "fake-cloudflare", port: port, handle: handle)
