import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostPricing

/// `llm-cost pricing history MODEL`: every dated entry of a model, oldest first.
struct PricingHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List a model's dated price entries, oldest first.")

    @OptionGroup var pricing: PricingOptions
    @Argument(help: "Model id as called.") var model: String
    @Option(help: "Provider the call goes through.") var provider: String?

    func run() throws {
        let table = try pricing.loadTable()
        let definition = try table.resolveOrExplain(provider: provider, model: model).model
        FileOutput.standardOutput.line("\(definition.provider)/\(definition.id): \(definition.entries.count) entr\(definition.entries.count == 1 ? "y" : "ies")")
        for (index, entry) in definition.entries.enumerated() {
            let next = index + 1 < definition.entries.count ? definition.entries[index + 1] : nil
            FileOutput.standardOutput.line("  \(PricingEntryText.period(entry, next: next))  \(PricingEntryText.prices(entry.prices))")
            FileOutput.standardOutput.line("      \(entry.source)  (\(entry.location))")
        }
    }
}
