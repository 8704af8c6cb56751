import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostPricing

/// `llm-cost pricing resolve MODEL`: which table model a name prices as, and why.
struct PricingResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Show which entry a model name resolves to, and why.")

    @OptionGroup var lookup: ModelLookupOptions

    func run() throws {
        let (resolution, time) = try lookup.resolve()
        let definition = resolution.model
        FileOutput.standardOutput.line("\(lookup.provider.map { "\($0)/" } ?? "")\(lookup.model) → \(definition.provider)/\(definition.id)")
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
