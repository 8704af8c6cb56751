import ArgumentParser
import Foundation

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
            BenchCommand.self,
            CostCommand.self,
            EstimateCommand.self,
            PricingCommand.self,
            ProvidersCommand.self,
            PromptCommand.self,
            ProxyCommand.self,
            BudgetCommand.self,
            SimulateCommand.self,
            TokensCommand.self,
        ])

    /// Exit codes: 0 ok, 1 runtime error, 2 usage error (ArgumentParser's own is 64).
    static func main() async {
        unblockStopSignals()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileOutput.standardError.write(fullMessage(for: error) + "\n")
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }

    /// A signal mask is inherited across exec, and Foundation's `Process` can spawn from a
    /// thread that blocks every signal; a child started that way would ignore SIGTERM and
    /// outlive its parent (a `--watch` import or a proxy never stopping). Start clean.
    private static func unblockStopSignals() {
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] {
            sigaddset(&stopSignals, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
    }
}
