import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostPricing

/// `llm-cost pricing show MODEL`: the model, its names and limits, and its entry in force.
struct PricingShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a model's entry in force: every price, tier and limit.")

    @OptionGroup var lookup: ModelLookupOptions

    func run() throws {
        let (resolution, time) = try lookup.resolve()
        let definition = resolution.model
        FileOutput.standardOutput.line("model          \(definition.provider)/\(definition.id)")
        if let date = resolution.snapshotDate {
            FileOutput.standardOutput.line("from           the LiteLLM map snapshot of \(date) (not in the curated table; any date)")
        }
        if !definition.aliases.isEmpty { FileOutput.standardOutput.line("aliases        \(definition.aliases.joined(separator: ", "))") }
        if let window = definition.contextWindow { FileOutput.standardOutput.line("context window \(window) tokens") }
        if let maxOutput = definition.maxOutput { FileOutput.standardOutput.line("max output     \(maxOutput) tokens") }
        guard let entry = resolution.entry(atMilliseconds: time) else {
            FileOutput.standardOutput.line("no entry in force at \(PricingDate.format(time)) (see `llm-cost pricing history \(lookup.model)`)")
            return
        }
        PricingEntryText.detail(entry).forEach(FileOutput.standardOutput.line)
    }
}

/// Failures of the pricing commands that are not a `PricingError`, with the message to print.
struct PricingCommandFailure: Error, CustomStringConvertible {
    private enum Code {
        case unknownModel
        case invalidTable
    }

    private let code: Code
    let description: String

    static func unknownModel(_ model: String, provider: String?, steps: [String]) -> PricingCommandFailure {
        let name = provider.map { "\($0)/\(model)" } ?? model
        let tried = steps.map { "  - \($0)" }.joined(separator: "\n")
        return PricingCommandFailure(
            code: .unknownModel,
            description: "unknown model \(name): calls to it are unpriced\n" + (tried.isEmpty ? "" : "tried:\n\(tried)"))
    }

    static func invalidTable(count: Int) -> PricingCommandFailure {
        PricingCommandFailure(code: .invalidTable, description: "\(count) problem(s) in the pricing table")
    }
}
