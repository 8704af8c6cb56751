import ArgumentParser
import LLMCost
import LLMCostCommandLine

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the effective configuration.",
        subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every setting, its value and where the value came from.")
        @OptionGroup var ledger: LedgerOptions

        func run() throws {
            let configuration = try ledger.loadConfiguration()
            FileOutput.standardOutput.write(ConfigReport.render(configuration))
        }
    }
}
