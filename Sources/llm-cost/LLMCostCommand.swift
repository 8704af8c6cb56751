import ArgumentParser
import LLMCostCommandLine
import LLMCostPostgres

@main
struct LLMCostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-cost",
        abstract: "Meter, price and report LLM calls.",
        subcommands: [
            ReportCommand.self,
            RecordCommand.self,
            ImportCommand.self,
            ExportCommand.self,
            RepriceCommand.self,
            DemoCommand.self,
            LedgerCommand.self,
            ConfigCommand.self,
            CostCommand.self,
            EstimateCommand.self,
            PricingCommand.self,
            ProvidersCommand.self,
            LoginCommand.self,
            LogoutCommand.self,
            PromptCommand.self,
            ProxyCommand.self,
            BudgetCommand.self,
            SimulateCommand.self,
            TokensCommand.self,
        ])

    /// The one way in and out, shared with `llm-cost-bench`: see `CommandFailure`.
    static func main() async {
        // `--db postgres://...` and a `postgres://` ledger.path open the server's ledger.
        PostgresLedger.register()
        await runAsRoot()
    }
}
