// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pvdify",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pvdifyd", targets: ["pvdifyd"]),
        .executable(name: "pvdify", targets: ["pvdify"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        // TLS settings (CA, client certificate) of the Kubernetes API client; already under async-http-client.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .target(
            name: "PvdifyModel",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "PvdifyStore",
            dependencies: [
                "PvdifyModel",
                "PvdifySealing",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "PvdifyAPI",
            dependencies: [
                "PvdifyModel",
                "PvdifyStore",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            // The Admin UI's templates, stylesheet and script.
            resources: [.copy("UI/Resources")]
        ),
        .executableTarget(
            name: "pvdifyd",
            dependencies: [
                "PvdifyAPI",
                "PvdifyStore",
                "PvdifyControllers",
                "PvdifyDrivers",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "pvdify",
            dependencies: [
                "PvdifyModel",
                "PvdifySealing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "PvdifyDrivers",
            dependencies: [
                "PvdifyModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "BareRoute",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Benchmarks/BareRoute"
        ),
        // Benchmarks of the log store and a soak of deploys (hack/bench-logs.sh, hack/bench-soak.sh).
        .executableTarget(name: "LogStoreBench", dependencies: ["PvdifyStore"], path: "Benchmarks/LogStoreBench"),
        .executableTarget(
            name: "DeploySoak",
            dependencies: [
                "PvdifyControllers", "PvdifyDrivers", "PvdifyStore", "PvdifyModel", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/DeploySoak"
        ),
        // A no-op resync of the reconcilers over many apps, with a fake runtime and Caddy (hack/bench-reconcile.sh).
        .executableTarget(
            name: "ReconcileBench",
            dependencies: [
                "PvdifyControllers", "PvdifyStore", "PvdifyModel", "PvdifyDrivers",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ReconcileBench"
        ),
        // Shared by the test targets: finding built executables, free loopback ports, the PostgreSQL test server, test stores on either database.
        .target(
            name: "PvdifyTestSupport",
            dependencies: ["PvdifyStore", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "PvdifyModelTests", dependencies: ["PvdifyModel"]),
        .testTarget(name: "PvdifyStoreTests", dependencies: ["PvdifyStore", "PvdifySealing", "PvdifyTestSupport"]),
        .testTarget(
            name: "PvdifyAPITests",
            dependencies: [
                "PvdifyAPI",
                "PvdifyStore",
                "PvdifySealing",
                "PvdifyTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "PvdifyDriversTests",
            dependencies: [
                "PvdifyDrivers", "PvdifyModel", "PvdifyTestSupport",
                .product(name: "JWTKit", package: "jwt-kit"), .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "PvdifyControllers",
            dependencies: [
                "PvdifyModel",
                "PvdifyStore",
                "PvdifyDrivers",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .testTarget(
            name: "PvdifyControllersTests",
            dependencies: [
                "PvdifyControllers", "PvdifyDrivers", "PvdifyStore", "PvdifyModel", "PvdifyTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "PvdifyTestSupport",
                "pvdify",
                "PvdifyModel",
                "PvdifyStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // DNS (issue 5): the Cloudflare API v4 stand-in the DNS tests start, and those tests.
        // What the stand-ins under hack/ share: switchable faults and the loopback server they run.
        .target(
            name: "StandInKit",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "hack/stand-in-kit"
        ),
        .executableTarget(
            name: "FakeCloudflare",
            dependencies: ["StandInKit", .product(name: "Hummingbird", package: "hummingbird")],
            path: "hack/fake-cloudflare"
        ),
        // GitHub (issue 12): the stand-in the GitHub tests start (OIDC issuer; later the App API).
        .executableTarget(
            name: "FakeGitHub",
            dependencies: [
                "StandInKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            path: "hack/fake-github"
        ),
        .testTarget(
            name: "DNSTests",
            dependencies: [
                "PvdifyTestSupport",
                "PvdifyDrivers",
                "PvdifyControllers",
                "PvdifyStore",
                "PvdifyModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Sealed secrets (issue 9): the age v1 format for X25519 recipients, and its tests.
        .target(
            name: "PvdifySealing",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "PvdifySealingTests",
            dependencies: ["PvdifySealing", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Kubernetes runtime (issue 14): the API stand-in its tests start.
        .executableTarget(
            name: "FakeKubernetes",
            dependencies: [
                "PvdifyModel", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
            ],
            path: "hack/fake-kubernetes"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "PvdifyTestSupport",
                "PvdifyModel",
                "PvdifyStore",
                "PvdifyDrivers",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
    ]
)
