import ArgumentParser

@main
struct LLMCostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-cost",
        abstract: "Meter, price and report LLM calls.",
        subcommands: [
            BenchCommand.self,
            TokensCommand.self,
        ])
}
