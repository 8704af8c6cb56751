// swift-tools-version: 6.1
// libFuzzer executables for the fuzz targets of the main package, kept apart so that its normal
// build never sees `-sanitize=fuzzer`. Build and run through `scripts/fuzz.sh`, which sets
// `LLM_COST_FUZZ_BUILD` (the main package shows the targets as a product only then).
import Foundation
import PackageDescription

// A package found by path is known by its folder's name, whatever the checkout is called.
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
    name: "llm-cost-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: root.path)],
    targets: [
        .target(name: "LibFuzzerDriver"),
        .executableTarget(
            name: "llm-cost-fuzz",
            dependencies: [
                "LibFuzzerDriver",
                .product(name: "LLMCostFuzzTargets", package: rootIdentity),
                .product(name: "LLMCostSimulator", package: rootIdentity),
            ],
            // gold fails on this link (an internal error in its DWARF reader); the toolchain's lld does not.
            linkerSettings: [.unsafeFlags(["-use-ld=lld"], .when(platforms: [.linux]))]),
    ]
)
