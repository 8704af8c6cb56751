import ArgumentParser
import LLMCost
import LLMCostCommandLine

/// `llm-cost providers list|check`.
struct ProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "List the configured providers, or check that they answer.",
        subcommands: [ProvidersListCommand.self, ProvidersCheckCommand.self],
        defaultSubcommand: ProvidersListCommand.self)
}

/// `llm-cost providers list`: name, type, model, URL, whether its key is set (never the key), and
/// the pricing entry of its default model (or that it is unpriced, and how to fix that).
struct ProvidersListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the configured providers.")

    @OptionGroup var ledger: LedgerOptions

    func run() async throws {
        let configuration = try ledger.loadConfiguration()
        let pricing = try loadConfiguredPricing(configuration)
        FileOutput.standardOutput.line(ProviderListing(registry: try CLIProviderRegistry.load(configuration), pricing: pricing).table())
    }
}

/// `llm-cost providers check [NAME]`: a one-token request to each provider (or just NAME).
struct ProvidersCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Send a cheap real request and diagnose auth, URL and network problems.")

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: "The provider to check (default: every provider whose API key is set).")
    var name: String?

    func run() async throws {
        let registry = try CLIProviderRegistry.load(try ledger.loadConfiguration())
        let listing = ProviderListing(registry: registry)
        let names = name.map { [$0] } ?? listing.namesWithKeys
        guard !names.isEmpty else {
            throw CommandFailure.usage("no provider has its API key set; name one to check, e.g. `llm-cost providers check ollama`")
        }
        if let name, !registry.allSettings.contains(where: { $0.name == name }) {
            throw CommandFailure.usage("no provider named `\(name)` (configured: \(registry.allSettings.map(\.name).joined(separator: ", ")))")
        }
        var failed = false
        for name in names {
            for result in await ProviderCheck(registry: registry).checks(name) {
                FileOutput.standardOutput.line(result.line)
                failed = failed || !result.ok
            }
        }
        if failed { throw CommandFailure.runtimeReported }
    }
}
