import Foundation
import HTTPTypes
import Hummingbird

/// Serves `handle` for every method and path on 127.0.0.1:`port` (0: any free port), and prints
/// `<name> listening on 127.0.0.1:PORT` once it listens: the line the tests wait for.
public func runStandIn(
    name: String, port: Int, handle: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
) async throws {
    let router = Router()
    for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
        router.on("**", method: method, use: handle)
    }
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: name),
        onServerRunning: { channel in
            let line = "\(name) listening on 127.0.0.1:\(channel.localAddress?.port ?? port)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        })
    try await app.runService()
}
