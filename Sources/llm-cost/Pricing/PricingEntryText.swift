import LLMCostCore
import LLMCostPricing

/// How entries and models print in the `pricing` commands' text output.
enum PricingEntryText {
    /// `in 3 / out 15 / cache read 0.30 / write 5m 3.75 / write 1h 6` (USD per million tokens).
    static func prices(_ prices: TokenPrices) -> String {
        var parts = ["in \(prices.input)", "out \(prices.output)"]
        if let reasoning = prices.reasoning { parts.append("reasoning \(reasoning)") }
        if let cacheRead = prices.cacheRead { parts.append("cache read \(cacheRead)") }
        if let write = prices.cacheWrite5m { parts.append("write 5m \(write)") }
        if let write = prices.cacheWrite1h { parts.append("write 1h \(write)") }
        return parts.joined(separator: " / ")
    }

    static func period(_ entry: PriceEntry, next: PriceEntry?) -> String {
        let until = entry.effectiveUntil.map(PricingDate.format) ?? next.map(\.effectiveFromText)
        return entry.effectiveFromText + " → " + (until ?? "now")
    }

    /// Every field of one entry, one per line.
    static func detail(_ entry: PriceEntry) -> [String] {
        var lines = [
            "entry          \(entry.id)",
            "written at     \(entry.location)",
            "source         \(entry.source)",
            "prices         \(prices(entry.prices))  (USD per million tokens)",
        ]
        for tier in entry.contextTiers {
            lines.append("above \(tier.aboveTokens)  \(prices(tier.prices))  (the whole request)")
        }
        let tiers = entry.availableServiceTiers.filter { $0 != .standard }
            .map { "\($0.rawValue) ×\(entry.serviceTiers[$0].map(String.init(describing:)) ?? "1")" }
        lines.append("service tiers  standard" + (tiers.isEmpty ? "" : ", " + tiers.joined(separator: ", ")))
        if let search = entry.webSearchPer1k { lines.append("web search     $\(search) per 1,000 requests") }
        if let fetch = entry.webFetchPer1k { lines.append("web fetch      $\(fetch) per 1,000 requests") }
        return lines
    }
}
