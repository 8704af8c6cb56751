import LLMCostCore
import LLMCostPricing

/// What `llm-cost cost` prints: one call's cost by the entry in force, with its breakdown.
public struct CostReport: Sendable {
    public var computation: CostComputation
    public var usage: Usage
    /// The model id as the user gave it (an alias or a dated id).
    public var calledAs: String

    public init(_ computation: CostComputation, usage: Usage, calledAs: String) {
        self.computation = computation
        self.usage = usage
        self.calledAs = calledAs
    }

    private var parts: [(label: String, key: String, amount: ExactAmount)] {
        let breakdown = computation.breakdown
        return [
            ("input", "input", breakdown.input), ("output", "output", breakdown.output), ("reasoning", "reasoning", breakdown.reasoning),
            ("cache read", "cache_read", breakdown.cacheRead), ("cache write", "cache_write", breakdown.cacheWrite),
            ("web search", "web_search", breakdown.webSearch), ("web fetch", "web_fetch", breakdown.webFetch),
        ]
    }

    /// For people: the entry, the tier, the parts the call used and the cost.
    public func text() -> String {
        let entry = computation.entry
        var lines = ["\(entry.provider)/\(entry.model)" + (calledAs == entry.model ? "" : " (called as \(calledAs))")]
        lines.append("entry    \(entry.id)  \(entry.source)")
        var tier = "tier     \(computation.serviceTier.rawValue)"
        if let above = computation.contextTierAbove { tier += ", long context (prompt above \(above) tokens)" }
        lines.append(tier)
        // Only the parts the call used: a zero part is noise in a terminal (JSON has them all).
        let used = parts.filter { $0.amount.attoUSD != 0 }
        let table = TextTable([
            TextTable.Column("", cells: used.map { "  " + $0.label }),
            TextTable.Column("", cells: used.map { "$" + $0.amount.decimalString }),
        ])
        lines += table.lines
        lines.append("cost     $\(computation.cost.decimalString)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One JSON object: `provider`, `model`, `called_as`, `entry` (`id`, `effective_from`,
    /// `source`), `service_tier`, `context_tier_above`, `cost_usd` (rounded once to
    /// nano-dollars), `cost_exact_usd` (the exact sum of the parts), `breakdown` (every part),
    /// `usage` (the counts under their interchange names). Money as decimal strings.
    public func json() -> String {
        let entry = computation.entry
        return JSONDocument.object([
            "provider": .string(entry.provider), "model": .string(entry.model), "called_as": .string(calledAs),
            "entry": .object(["id": .string(entry.id), "effective_from": .string(entry.effectiveFromText), "source": .string(entry.source)]),
            "service_tier": .string(computation.serviceTier.rawValue),
            "context_tier_above": computation.contextTierAbove.map(JSONDocument.integer),
            "cost_usd": .string(computation.cost.decimalString),
            "cost_exact_usd": .string(computation.breakdown.total.decimalString),
            "breakdown": .members(parts.map { .init($0.key, .string($0.amount.decimalString)) }),
            "usage": .members(usage.namedCounts.map { .init($0.name, .integer($0.value)) }),
        ]).text(pretty: true)
    }
}
