import Foundation
import PvdifyTestSupport

/// A background server process a test started (nginx, fcgiwrap, sshd), stopped by its own pid.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let log: URL

    init(_ executable: String, _ arguments: [String], log: URL) throws {
        self.log = log
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGTERM, then SIGKILL if it is still running after two seconds; waits (a while) for its exit.
    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<40 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port`.
    static func waitForPort(_ port: Int) async throws {
        for _ in 0..<100 {
            if canConnect(port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DaemonError(message: "nothing listens on 127.0.0.1:\(port)")
    }

    /// A loopback port below the ephemeral range that nothing listens on now.
    static func freePort() -> Int { Loopback.claimPort(in: 28_000...29_999) }

    static func canConnect(_ port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// `git http-backend` behind nginx (basic auth) and fcgiwrap, on a 127.0.0.1 port, serving the
/// bare repositories of a folder: a real smart-HTTP git server from Debian packages.
final class HTTPGitServer: @unchecked Sendable {
    let directory: URL
    let port: Int
    private var processes: [ServerProcess] = []

    /// - Parameters: repositories: the folder whose bare repositories are served as `/NAME.git`.
    init(repositories: URL, username: String, password: String) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pvdify-http-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        port = ServerProcess.freePort()
        let socket = directory.appendingPathComponent("fcgi.sock").path
        try "\(username):{PLAIN}\(password)\n".write(to: directory.appendingPathComponent("htpasswd"), atomically: true, encoding: .utf8)
        let tmp = directory.appendingPathComponent("tmp").path
        let config = """
            \(getuid() == 0 ? "user root;" : "")
            worker_processes 1;
            daemon off;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path \(tmp)/body;
              fastcgi_temp_path \(tmp)/fastcgi;
              proxy_temp_path \(tmp)/proxy;
              uwsgi_temp_path \(tmp)/uwsgi;
              scgi_temp_path \(tmp)/scgi;
              server {
                listen 127.0.0.1:\(port);
                location / {
                  auth_basic "git";
                  auth_basic_user_file \(directory.path)/htpasswd;
                  include /etc/nginx/fastcgi_params;
                  fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
                  fastcgi_param GIT_PROJECT_ROOT \(repositories.path);
                  fastcgi_param GIT_HTTP_EXPORT_ALL "";
                  fastcgi_param PATH_INFO $uri;
                  fastcgi_param REMOTE_USER $remote_user;
                  fastcgi_pass unix:\(socket);
                }
              }
            }

            """
        let configFile = directory.appendingPathComponent("nginx.conf")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        processes.append(try ServerProcess("/usr/sbin/fcgiwrap", ["-s", "unix:\(socket)"], log: directory.appendingPathComponent("fcgiwrap.log")))
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(20)) }
        chmod(socket, 0o666)
        processes.append(try ServerProcess("/usr/sbin/nginx", ["-c", configFile.path, "-e", directory.appendingPathComponent("error.log").path], log: directory.appendingPathComponent("nginx.log")))
        try await ServerProcess.waitForPort(port)
    }

    func url(_ repository: String) -> String { "http://127.0.0.1:\(port)/\(repository)" }

    func stop() async {
        for process in processes.reversed() { await process.stop() }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs `body`, then `cleanUp` whether or not it threw (a `defer` cannot await a server's exit).
func withCleanUp(_ cleanUp: () async -> Void, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        await cleanUp()
        throw error
    }
    await cleanUp()
}
