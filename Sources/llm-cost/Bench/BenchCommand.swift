import ArgumentParser

/// `llm-cost bench`: the documented performance harness. Each capability adds a subcommand
/// that measures itself, printing figures to compare side by side with a reference.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the speed of each part (see the README's Benchmarks section).",
        subcommands: [
            BenchLedgerCommand.self,
            BenchPricingCommand.self,
            ProvidersBenchCommand.self,
            BenchTokenizerCommand.self,
            BenchMeteringCommand.self,
            BenchEstimationCommand.self,
            BenchBudgetWaitCommand.self,
            BenchWorstCaseCommand.self,
            BenchAgentLogsCommand.self,
            BenchProxyCommand.self,
        ])
}
