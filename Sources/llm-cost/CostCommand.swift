import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost cost`: what one call costs, exactly, by the entry in force at a given time.
struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Price one call from its token counts.",
        discussion: """
            Counts take the ledger's (Anthropic's) shape: --input is UNCACHED input only; cache \
            reads and writes are separate counts; --reasoning is the part of --output spent on \
            reasoning (not added to it). From OpenAI's usage, pass --input as prompt_tokens minus \
            cached_tokens and --cache-read as cached_tokens. The cost is exact, rounded once to \
            nano-dollars. An unknown model exits 1: it is unpriced, never $0.
            """)

    @OptionGroup var pricing: PricingOptions

    @Option(help: "Model id as called (aliases, dated ids and provider prefixes resolve).") var model: String
    @Option(help: "Provider the call went through (anthropic, openai, openrouter, azure, ...).") var provider: String?
    @Option(help: ArgumentHelp("When the call was made (ISO 8601 with zone, or a date; default now).", valueName: "time"))
    var at: String?
    @OptionGroup var counts: UsageOptions
    @Option(name: .customLong("service-tier"), help: "standard, batch, flex, priority or fast.") var serviceTier: String = "standard"
    @OptionGroup var formatOption: FormatOption<TextOrJSON>

    func run() throws {
        guard let tier = ServiceTier(rawValue: serviceTier) else {
            throw CommandFailure.usage("--service-tier: expected standard, batch, flex, priority or fast, got \"\(serviceTier)\"")
        }
        let usage = try counts.usage()
        let time = try PricingOptions.time(at)
        let table = try pricing.loadTable()
        let computation: CostComputation
        do {
            computation = try table.cost(provider: provider, model: model, usage: usage, at: time, serviceTier: tier)
        } catch {
            guard error.isUnknownModel else { throw error }
            // Say which rules were tried, so a typo or a missing provider is obvious.
            throw PricingCommandFailure.unknownModel(
                model, provider: provider, steps: table.explainMiss(provider: provider, model: model))
        }
        let report = CostReport(computation, usage: usage, calledAs: model)
        FileOutput.standardOutput.write(formatOption.format == .json ? report.json() : report.text())
    }
}
