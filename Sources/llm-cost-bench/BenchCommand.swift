import ArgumentParser
import Foundation
import LLMCostCommandLine

/// `llm-cost-bench`: the documented performance harness, kept out of the user's `llm-cost`.
/// Each capability adds a subcommand that measures itself, printing figures to compare side
/// by side with a reference.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-cost-bench",
        abstract: "Measure the speed of each part of llm-cost (see the README's Benchmarks section). Use a release build.",
        subcommands: [
            BenchLedgerCommand.self,
            BenchPricingCommand.self,
            ProvidersBenchCommand.self,
            BenchTokenizerCommand.self,
            BenchMeteringCommand.self,
            BenchRouterCommand.self,
            BenchEstimationCommand.self,
            BenchBudgetWaitCommand.self,
            BenchWorstCaseCommand.self,
            BenchAgentLogsCommand.self,
            BenchProxyCommand.self,
            BenchBackendsCommand.self,
        ])

    static func main() async { await runAsRoot() }

    /// The `llm-cost` binary the benches run as a user would: `LLM_COST_BINARY`, else the one
    /// built beside this one.
    static var llmCostBinary: URL {
        if let path = ProcessInfo.processInfo.environment["LLM_COST_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("llm-cost")
    }
}
