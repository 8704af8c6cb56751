import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost pricing list`: every model and the entry in force now (or at `--at`).
struct PricingListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the models and their current prices (USD per million tokens).")

    @OptionGroup var pricing: PricingOptions
    @Option(help: "Only this provider.") var provider: String?
    @Option(help: ArgumentHelp("Prices in force at this time (default now).", valueName: "time")) var at: String?
    @OptionGroup var formatOption: FormatOption<TextOrJSON>

    func run() throws {
        let table = try pricing.loadTable()
        let time = PricingDate.milliseconds(try PricingOptions.time(at))
        var wanted: String?
        if let provider {
            guard let name = table.providerName(provider) else {
                throw CommandFailure.usage("--provider: no pricing file for \"\(provider)\" (known: \(table.providers.values.map(\.name).sorted().joined(separator: ", ")))")
            }
            wanted = name
        }
        let listing = PricingListing(table, provider: wanted, atMilliseconds: time)
        FileOutput.standardOutput.write(formatOption.format == .json ? listing.json() : listing.table())
    }
}
