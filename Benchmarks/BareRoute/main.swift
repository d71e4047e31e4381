// A bare Hummingbird route answering a fixed JSON body of the size of `GET /api/v1/apps/{name}`:
// the baseline `hack/bench-api.sh` measures pvdifyd against, in the same run.
import Hummingbird

let port = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 9600
let body = #"{"bind_port":3000,"conditions":[],"created_at":"2026-01-01T10:00:00Z","domains":[],"environment":"production","generation":1,"healthcheck":{"deploy_timeout":"1m","interval":"30s","path":"/","timeout":"5s"},"image":null,"labels":{},"name":"bench","observed_generation":0,"preview_of":null,"processes":{"web":{"command":null,"count":1}},"resources":{"cpu":null,"memory":null},"status":"pending","updated_at":"2026-01-01T10:00:00Z"}"#
let router = Router()
router.get("/api/v1/apps/{name}") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
