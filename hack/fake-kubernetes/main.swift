// A Kubernetes API stand-in for pvdify's tests: serves what pvdify's Kubernetes runtime uses
// (server-side apply with field managers and conflicts, get, list and watch by label, delete, a
// simulated Deployment controller) and `/__admin` on 127.0.0.1 only, and prints
// `fake-kubernetes listening on 127.0.0.1:PORT` once it is up.
// Usage: FakeKubernetes [--port N (0: any free port)] [--token T] [--ready-delay MS] [--progress-deadline MS]
//   [--tls-cert PEM --tls-key PEM [--client-ca PEM]]: HTTPS, and with a client CA only clients
//   with a certificate it signed get through (they need no token).
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOCore

var port = 0
var token: String?
var readyDelay = 500
var progressDeadline = 2000
var tlsCertificate: String?
var tlsKey: String?
var clientCA: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next() ?? "") ?? 0
    case "--token": token = arguments.next()
    case "--ready-delay": readyDelay = Int(arguments.next() ?? "") ?? readyDelay
    case "--progress-deadline": progressDeadline = Int(arguments.next() ?? "") ?? progressDeadline
    case "--tls-cert": tlsCertificate = arguments.next()
    case "--tls-key": tlsKey = arguments.next()
    case "--client-ca": clientCA = arguments.next()
    default:
        FileHandle.standardError.write(Data("usage: FakeKubernetes [--port N] [--token T] [--ready-delay MS] [--progress-deadline MS]\n".utf8))
        exit(2)
    }
}

// With a client CA, a certificate it signed is the credential; the token is not asked for.
let fake = FakeKubernetes(token: clientCA == nil ? token : nil, readyDelay: .milliseconds(readyDelay), progressDeadline: .milliseconds(progressDeadline))

@Sendable func handle(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
    let body = try await request.body.collect(upTo: 4 << 20)
    var query: [String: String] = [:]
    for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
    let call = FakeKubernetes.Call(
        method: request.method.rawValue, path: request.uri.path, query: query, authorization: request.headers[.authorization],
        contentType: request.headers[.contentType], body: Data(body.readableBytesView))
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    switch await fake.respond(call) {
    case .json(let status, let value):
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
    case .stream(let events):
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for await line in events { try await writer.write(line) }
            try await writer.finish(nil)
        })
    }
}

let router = Router()
for method in [HTTPRequest.Method.get, .post, .patch, .delete] {
    router.on("**", method: method, use: handle)
}
let listenPort = port
var server = HTTPServerBuilder.http1()
if let tlsCertificate, let tlsKey {
    var tls = TLSConfiguration.makeServerConfiguration(
        certificateChain: try NIOSSLCertificate.fromPEMFile(tlsCertificate).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: tlsKey, format: .pem)))
    if let clientCA {
        // A server that verifies its peer requires a client certificate signed by this CA.
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
        tls.certificateVerification = .noHostnameVerification
    }
    server = try .tls(.http1(), tlsConfiguration: tls)
}
let app = Application(
    router: router,
    server: server,
    configuration: .init(address: .hostname("127.0.0.1", port: listenPort), serverName: "fake-kubernetes"),
    onServerRunning: { channel in
        let line = "fake-kubernetes listening on 127.0.0.1:\(channel.localAddress?.port ?? listenPort)\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    })
// The Deployment controller: one step every 100 ms, for as long as the server runs.
let controller = Task {
    while !Task.isCancelled {
        await fake.tick()
        try? await Task.sleep(for: .milliseconds(100))
    }
}
// No graceful shutdown: open watches would hold it forever, and a stand-in holds nothing worth a
// clean stop, so SIGTERM and SIGINT end the process at once.
try await app.runService(gracefulShutdownSignals: [])
controller.cancel()
