import ArgumentParser

/// `llm-cost pricing`: inspect, explain, check and extend the pricing table.
struct PricingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pricing",
        abstract: "Inspect and maintain the pricing table (built-in, plus user overrides).",
        subcommands: [
            PricingListCommand.self,
            PricingShowCommand.self,
            PricingHistoryCommand.self,
            PricingResolveCommand.self,
            PricingValidateCommand.self,
            PricingImportCommand.self,
            PricingUpdateCommand.self,
        ])
}
