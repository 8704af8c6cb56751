import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostPricing

/// `llm-cost pricing resolve MODEL`: which table model a name prices as, and why.
struct PricingResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Show which entry a model name resolves to, and why.")

    @OptionGroup var pricing: PricingOptions
    @Argument(help: "Model id as called (dated ids, aliases, provider prefixes, -latest).") var model: String
    @Option(help: "Provider the call goes through.") var provider: String?
    @Option(help: ArgumentHelp("Show the entry in force at this time (default now).", valueName: "time")) var at: String?

    func run() throws {
        let table = try pricing.loadTable()
        let resolution = try table.resolveOrExplain(provider: provider, model: model)
        let time = PricingDate.milliseconds(try PricingOptions.time(at))
        let definition = resolution.model
        FileOutput.standardOutput.line("\(provider.map { "\($0)/" } ?? "")\(model) → \(definition.provider)/\(definition.id)")
        for step in resolution.steps { FileOutput.standardOutput.line("  - \(step)") }
        if resolution.isFromSnapshot, let entry = resolution.entry(atMilliseconds: time) {
            // The map has no history: its one entry prices calls of every date.
            FileOutput.standardOutput.line("entry: \(entry.id) (the snapshot's prices apply to calls of any date)")
        } else if let entry = resolution.entry(atMilliseconds: time) {
            FileOutput.standardOutput.line("entry in force at \(PricingDate.format(time)): \(entry.id)")
        } else {
            FileOutput.standardOutput.line("no entry in force at \(PricingDate.format(time)): calls then are unpriced")
        }
    }
}
