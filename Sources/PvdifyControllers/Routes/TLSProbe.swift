import AsyncHTTPClient
import Foundation
import NIOSSL

/// Checks that Caddy serves a certificate for a hostname: a TLS handshake with that name (SNI) on
/// 127.0.0.1:<https port>, verified against the given roots (Caddy's local CA) or the system's.
protocol TLSProbe: Sendable {
    /// The names among `hosts` whose handshake succeeded.
    func handshakes(hosts: [String], port: Int, rootPEM: String?) async -> Set<String>
}

struct HTTPSHandshakeProbe: TLSProbe {
    func handshakes(hosts: [String], port: Int, rootPEM: String?) async -> Set<String> {
        guard !hosts.isEmpty else { return [] }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let rootPEM, let roots = try? NIOSSLCertificate.fromPEMBytes(Array(rootPEM.utf8)) {
            tls.trustRoots = .certificates(roots)
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.dnsOverride = Dictionary(uniqueKeysWithValues: hosts.map { ($0, "127.0.0.1") })
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        var succeeded: Set<String> = []
        for host in hosts {
            var request = HTTPClientRequest(url: "https://\(host):\(port)/")
            request.method = .HEAD
            if let response = try? await client.execute(request, timeout: .seconds(5)) {
                _ = try? await response.body.collect(upTo: 1 << 20)
                succeeded.insert(host)
            }
        }
        try? await client.shutdown()
        return succeeded
    }
}
