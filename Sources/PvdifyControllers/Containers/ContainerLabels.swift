import Crypto
import Foundation
import PvdifyModel

/// The labels pvdify puts on every container it runs: they are how it recognises its own
/// containers (and never touches anyone else's) and what each one is for.
public enum ContainerLabels {
    public static let app = "pvdify.app"
    public static let process = "pvdify.process"
    public static let index = "pvdify.index"
    public static let release = "pvdify.release"
    public static let specHash = "pvdify.spec-hash"
    public static let hostPort = "pvdify.host-port"
    /// Which pvdifyd runs the container (its data directory's instance id): a daemon only ever
    /// manages, and removes as orphans, containers of its own instance.
    public static let instance = "pvdify.instance"

    /// `pvdify-<app>-<type>-<index>-<hash>`: unique per spec, so a new instance can run beside the old.
    public static func containerName(app: String, process: String, index: Int, hash: String) -> String {
        "pvdify-\(app)-\(process)-\(index)-\(hash)"
    }

    /// A digest of everything that, when changed, means an instance must be replaced: release,
    /// image, command, environment, limits, port and the type's last restart request.
    static func specHash(
        release: Int, image: String, process: String, command: String?, env: [String: String],
        resources: Resources, port: Int, restartRequested: Date?
    ) -> String {
        var text = "release=\(release)\nimage=\(image)\nprocess=\(process)\ncommand=\(command ?? "")\nport=\(port)\n"
        text += "memory=\(resources.memory?.bytes ?? 0)\ncpu=\(resources.cpu ?? 0)\nrestart=\(restartRequested?.timeIntervalSince1970 ?? 0)\n"
        for key in env.keys.sorted() { text += "env.\(key)=\(env[key]!)\n" }
        return SHA256.hash(data: Data(text.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}
