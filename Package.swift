// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "llm-cost",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LLMCost", targets: ["LLMCost"]),
        .library(name: "LLMCostSimulator", targets: ["LLMCostSimulator"]),
        .executable(name: "llm-cost", targets: ["llm-cost"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        // The proxy: a server framework for the server, a NIO HTTP client for the upstreams.
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        // Already built for AsyncHTTPClient's TLS: the proxy hashes access tokens with it.
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        // The PostgreSQL ledger, for a team's many hosts.
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        // Value types every other module speaks: Usage, Money, CallRecord, MeteringContext.
        .target(name: "LLMCostCore"),
        // The TOML 1.0 reader behind the config and pricing files: exact decimals, positions, no traps.
        .target(
            name: "LLMCostTOML",
            // Optimized in debug builds too: its tests parse tens of thousands of generated documents.
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(
            name: "LLMCostTokenizer", dependencies: ["LLMCostCore"],
            // Optimized in debug builds too: the test suite loads and merges megabytes of ranks,
            // which unoptimized takes seconds of CPU that starve the suite's timing-sensitive tests.
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(
            name: "LLMCostPricing", dependencies: ["LLMCostCore", "LLMCostTOML"],
            // `DefaultTable` is a symlink to the package's `pricing/` folder: the binary carries the table.
            // The LiteLLM snapshot is embedded as a string literal by the plugin instead: as a
            // byte-array literal its few hundred KB would take the compiler half a minute.
            exclude: ["DefaultTable/litellm-snapshot.tsv", "DefaultTable/README.md"],
            resources: [.embedInCode("DefaultTable")],
            plugins: ["EmbedPricingSnapshot"]),
        // Writes pricing/litellm-snapshot.tsv as a Swift string literal at build time.
        .executableTarget(name: "PricingSnapshotEmbedder"),
        .plugin(name: "EmbedPricingSnapshot", capability: .buildTool(), dependencies: ["PricingSnapshotEmbedder"]),
        .target(
            name: "LLMCostStore",
            dependencies: [
                "LLMCostCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(name: "LLMCostAgentLogs", dependencies: ["LLMCostCore", "LLMCostStore"]),
        .target(name: "LLMCostConfig", dependencies: ["LLMCostCore", "LLMCostTOML"]),
        .target(name: "LLMCostProviders", dependencies: ["LLMCostCore"]),
        // A loopback HTTP/1.1 server speaking the providers' wire formats, for tests and demos.
        .target(name: "LLMCostSimulator", dependencies: ["LLMCostCore"]),
        .target(
            name: "LLMCostMetering",
            dependencies: ["LLMCostCore", "LLMCostTokenizer", "LLMCostPricing", "LLMCostStore", "LLMCostProviders", "LLMCostConfig"]
        ),
        // SVG charts from plain numbers (scales, ticks, stacking, labels) and the escaped-by-
        // construction markup type the HTML report is written with. No dependencies.
        .target(name: "LLMCostCharts"),
        // Every rendering for people and scripts (tables, JSON, CSV, markdown, the HTML report),
        // fed by plain report values from the store, metering and pricing modules.
        .target(
            name: "LLMCostPresentation",
            dependencies: [
                "LLMCostCharts", "LLMCostCore", "LLMCostPricing", "LLMCostTokenizer", "LLMCostProviders", "LLMCostStore", "LLMCostMetering",
            ],
            // `ReportTemplates` is a symlink to the package's `reports/html/`: the HTML report's
            // style sheet and script, carried in the binary.
            resources: [.embedInCode("ReportTemplates")]),
        .target(
            name: "LLMCost",
            dependencies: [
                "LLMCostCore", "LLMCostTokenizer", "LLMCostPricing", "LLMCostStore", "LLMCostProviders", "LLMCostMetering",
                "LLMCostConfig", "LLMCostAgentLogs", "LLMCostPresentation",
            ]
        ),
        // `llm-cost proxy`: meters any program's calls in front of the providers (its own
        // dependencies, kept out of the library modules).
        .target(
            name: "LLMCostProxy",
            dependencies: [
                "LLMCost",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // `llm-cost login`: the browser sign-in's loopback listener (a server framework, kept out of
        // the provider module, which only stores and refreshes what sign-in yields).
        .target(
            name: "LLMCostSignIn",
            dependencies: [
                "LLMCostCore", "LLMCostProviders",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The ledger on PostgreSQL: the store's logic over postgres-nio (its own dependencies,
        // kept out of the store module, which knows only the backend boundary).
        .target(
            name: "LLMCostPostgres",
            dependencies: [
                "LLMCostCore", "LLMCostStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The one way in and out of the executables: exit codes, error messages, standard streams.
        .target(
            name: "LLMCostCommandLine",
            dependencies: ["LLMCostMetering", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "llm-cost",
            dependencies: [
                "LLMCost", "LLMCostProxy", "LLMCostSimulator", "LLMCostCommandLine", "LLMCostPostgres", "LLMCostSignIn",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The benchmarks, out of the user's binary: `swift run -c release llm-cost-bench ...`.
        .executableTarget(
            name: "llm-cost-bench",
            dependencies: [
                "LLMCost", "LLMCostSimulator", "LLMCostCommandLine", "LLMCostTokenizer", "LLMCostPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `proxy` calls through the proxy with the client the proxy itself uses.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // What the test targets share: temporary ledgers, the ../shared folder, fake pricing,
        // waiting off Swift concurrency's threads.
        .target(name: "LLMCostTestSupport", dependencies: ["LLMCostCore", "LLMCostStore", "LLMCostPostgres"], path: "Tests/LLMCostTestSupport"),
        .testTarget(name: "LLMCostCoreTests", dependencies: ["LLMCostCore"]),
        .testTarget(name: "LLMCostChartsTests", dependencies: ["LLMCostCharts"]),
        .testTarget(
            name: "LLMCostTOMLTests", dependencies: ["LLMCostTestSupport", "LLMCostTOML", "LLMCostCore", "LLMCostConfig", "LLMCostPricing"]),
        .testTarget(
            name: "LLMCostStoreTests",
            dependencies: ["LLMCostTestSupport", "LLMCostStore", "LLMCostPresentation", "LLMCostPricing", "LLMCostMetering", "LLMCostCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "LLMCostConfigTests", dependencies: ["LLMCostConfig"]),
        // Against a real server: $LLM_COST_TEST_POSTGRES_URL, else the throwaway one that
        // scripts/postgres-test-server.sh starts.
        .testTarget(name: "LLMCostPostgresTests", dependencies: ["LLMCostTestSupport", "LLMCostPostgres", "LLMCostStore", "LLMCostCore"]),
        .testTarget(name: "LLMCostAgentLogsTests", dependencies: ["LLMCostAgentLogs", "LLMCostCore"]),
        .testTarget(name: "LLMCostPricingTests", dependencies: ["LLMCostPricing", "LLMCostCore"]),
        .testTarget(name: "CLITests", dependencies: ["LLMCostTestSupport", "LLMCostCore", "LLMCostSimulator"]),
        .testTarget(name: "LLMCostProxyTests", dependencies: ["LLMCostTestSupport", "LLMCostProxy", "LLMCost"]),
        .testTarget(name: "LLMCostProvidersTests", dependencies: ["LLMCostTestSupport", "LLMCostProviders", "LLMCostSimulator", "LLMCostCore"]),
        .testTarget(name: "LLMCostSignInTests", dependencies: ["LLMCostTestSupport", "LLMCostSignIn", "LLMCostProviders", "LLMCostSimulator", "LLMCostCore"]),
        .testTarget(
            name: "LLMCostTokenizerTests", dependencies: ["LLMCostTestSupport", "LLMCostTokenizer", "LLMCostSimulator", "LLMCostCore"],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .testTarget(
            name: "LLMCostMeteringTests",
            dependencies: [
                "LLMCostTestSupport", "LLMCostMetering", "LLMCostStore", "LLMCostProviders", "LLMCostCore", "LLMCostPricing",
                "LLMCostSimulator", "LLMCostTokenizer", "LLMCostPresentation",
            ]),
        // The fuzz targets: parsers of outside input with their invariants, run by the seeded pass
        // in `swift test` and by libFuzzer (`Fuzz/`, `scripts/fuzz.sh`). Optimized in debug builds
        // too, so that the seeded pass's many inputs cost seconds, not minutes.
        .target(
            name: "LLMCostFuzzTargets",
            dependencies: ["LLMCostCore", "LLMCostProviders", "LLMCostConfig", "LLMCostPricing", "LLMCostAgentLogs", "LLMCostProxy"],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .testTarget(name: "FuzzTests", dependencies: ["LLMCostTestSupport", "LLMCostFuzzTargets", "LLMCostProviders", "LLMCostSimulator", "LLMCostCore"]),
    ]
)

// The libFuzzer package in `Fuzz/` reaches the targets as a product, which nobody else should
// see: `scripts/fuzz.sh` sets this variable for its own build.
if Context.environment["LLM_COST_FUZZ_BUILD"] != nil {
    package.products.append(.library(name: "LLMCostFuzzTargets", targets: ["LLMCostFuzzTargets"]))
}
