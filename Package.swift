// swift-tools-version:6.1
import PackageDescription

// Upcoming features the whole package builds with, as Hummingbird does.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Arbiter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "arbiter", targets: ["arbiter"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // Domain types, errors, IDs, clock, crypto helpers and policies. No I/O.
        .target(
            name: "ArbiterCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Storage protocols with SQLite and PostgreSQL implementations, and migrations.
        .target(
            name: "ArbiterStore",
            dependencies: [
                "ArbiterCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The built-in analyzer: rules (data files in Rules/), lexers, diff parsing, file selection, report formats.
        .target(
            name: "ArbiterReview",
            dependencies: [
                .product(name: "Yams", package: "Yams")
            ],
            resources: [.copy("Rules")],
            swiftSettings: swiftSettings
        ),
        // Model providers (OpenAI-compatible, Anthropic), the fallback chain with breakers, retries, limits and caches,
        // versioned prompts (data in PromptTemplates/), defensive parsing of model answers.
        .target(
            name: "ArbiterAI",
            dependencies: [
                "ArbiterReview",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("PromptTemplates")],
            swiftSettings: swiftSettings
        ),
        // The ontology: snapshots, content-addressed commits and trees, diffs, three-way merges, validation, locks,
        // issue references, and the repository that keeps branches and commits in the database.
        .target(
            name: "ArbiterOntology",
            dependencies: [
                "ArbiterCore",
                "ArbiterStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // A model provider for tests and `arbiter bench gateway`: a real HTTP server on loopback speaking both wire formats.
        .target(
            name: "ArbiterFakeProvider",
            dependencies: [
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Hummingbird application: routes, request context, middleware, OpenAPI.
        .target(
            name: "ArbiterServer",
            dependencies: [
                "ArbiterAI",
                "ArbiterCore",
                "ArbiterOntology",
                "ArbiterReview",
                "ArbiterStore",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `arbiter` command: parses flags and calls the layers below.
        .executableTarget(
            name: "arbiter",
            dependencies: [
                "ArbiterAI",
                "ArbiterCore",
                "ArbiterFakeProvider",
                "ArbiterOntology",
                "ArbiterReview",
                "ArbiterServer",
                "ArbiterStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets: throwaway SQLite files and PostgreSQL databases, processes, free ports.
        .target(
            name: "ArbiterTestSupport",
            dependencies: [
                "ArbiterCore",
                "ArbiterStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/ArbiterTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArbiterCoreTests",
            dependencies: ["ArbiterCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArbiterAITests",
            dependencies: [
                "ArbiterAI", "ArbiterFakeProvider", "ArbiterReview",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArbiterOntologyTests",
            dependencies: ["ArbiterCore", "ArbiterOntology", "ArbiterStore", "ArbiterTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArbiterReviewTests",
            dependencies: ["ArbiterReview"],
            exclude: ["Corpus"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArbiterStoreTests",
            dependencies: ["ArbiterCore", "ArbiterStore", "ArbiterTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArbiterServerTests",
            dependencies: [
                "ArbiterAI",
                "ArbiterCore",
                "ArbiterFakeProvider",
                "ArbiterServer",
                "ArbiterStore",
                "ArbiterTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
