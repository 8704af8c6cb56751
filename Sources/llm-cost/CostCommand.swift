import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostCore
import LLMCostPricing

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
        FileOutput.standardOutput.line(formatOption.format == .json ? try PricingJSON.render(report) : report.text)
    }
}

/// The JSON shape of `llm-cost cost`: costs as decimal strings, never floats.
struct CostReport: Encodable {
    struct Entry: Encodable {
        var id: String
        var effective_from: String
        var source: String
    }

    struct Breakdown: Encodable {
        var input: String
        var output: String
        var reasoning: String
        var cache_read: String
        var cache_write: String
        var web_search: String
        var web_fetch: String
    }

    var provider: String
    var model: String
    var called_as: String
    var entry: Entry
    var service_tier: String
    var context_tier_above: Int64?
    /// The cost, rounded once to nano-dollars.
    var cost_usd: String
    /// The exact sum of the breakdown, before that rounding.
    var cost_exact_usd: String
    var breakdown: Breakdown
    var usage: Usage

    init(_ computation: CostComputation, usage: Usage, calledAs: String) {
        let parts = computation.breakdown
        provider = computation.entry.provider
        model = computation.entry.model
        called_as = calledAs
        entry = Entry(
            id: computation.entry.id, effective_from: computation.entry.effectiveFromText, source: computation.entry.source)
        service_tier = computation.serviceTier.rawValue
        context_tier_above = computation.contextTierAbove
        cost_usd = computation.cost.decimalString
        cost_exact_usd = parts.total.decimalString
        breakdown = Breakdown(
            input: parts.input.decimalString, output: parts.output.decimalString, reasoning: parts.reasoning.decimalString,
            cache_read: parts.cacheRead.decimalString, cache_write: parts.cacheWrite.decimalString,
            web_search: parts.webSearch.decimalString, web_fetch: parts.webFetch.decimalString)
        self.usage = usage
    }

    var text: String {
        var lines = ["\(provider)/\(model)" + (called_as == model ? "" : " (called as \(called_as))")]
        lines.append("entry    \(entry.id)  \(entry.source)")
        var tier = "tier     \(service_tier)"
        if let above = context_tier_above { tier += ", long context (prompt above \(above) tokens)" }
        lines.append(tier)
        let rows: [(String, String)] = [
            ("input", breakdown.input), ("output", breakdown.output), ("reasoning", breakdown.reasoning),
            ("cache read", breakdown.cache_read), ("cache write", breakdown.cache_write),
            ("web search", breakdown.web_search), ("web fetch", breakdown.web_fetch),
        ]
        // Only the parts the call used: a zero part is noise in a terminal (JSON has them all).
        for (label, amount) in rows where amount.contains(where: { $0 >= "1" && $0 <= "9" }) {
            lines.append("  " + label.padding(toLength: 13, withPad: " ", startingAt: 0) + "$" + amount)
        }
        lines.append("cost     $\(cost_usd)")
        return lines.joined(separator: "\n")
    }
}
