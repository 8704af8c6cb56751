import Foundation
import PackagePlugin

/// Embeds `pricing/litellm-snapshot.tsv` in `LLMCostPricing` as a Swift string literal.
///
/// The curated TOML files are embedded with `.embedInCode`, which writes a `[UInt8]` literal:
/// fine for tens of kilobytes, but the snapshot is a few hundred, and the compiler takes about
/// 10 seconds and 1 GB of memory per 100 KB of byte-array literal. A string literal of the same
/// text compiles in a fraction of a second.
@main
struct EmbedPricingSnapshot: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let input = context.package.directoryURL.appending(path: "pricing/litellm-snapshot.tsv")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedLiteLLMSnapshot.swift")
        return [
            .buildCommand(
                displayName: "Embedding pricing/litellm-snapshot.tsv",
                executable: try context.tool(named: "PricingSnapshotEmbedder").url,
                arguments: [input.path, output.path],
                inputFiles: [input],
                outputFiles: [output])
        ]
    }
}
