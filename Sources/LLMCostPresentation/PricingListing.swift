import LLMCostCore
import LLMCostPricing

/// What `llm-cost pricing list` prints: each model and the entry in force at a time, prices in
/// USD per million tokens as the pricing files write them.
public struct PricingListing: Sendable {
    public struct Row: Sendable {
        public var provider: String
        public var model: String
        public var aliases: [String]
        /// The entry in force, `nil` when none is (the model's first entry starts later).
        public var entry: PriceEntry?
        /// How many dated entries the model has.
        public var entries: Int
    }

    public var rows: [Row]
    /// The LiteLLM snapshot behind the curated table, when the table has one.
    public var snapshot: (date: String, count: Int)?

    /// The models of `table` (only `provider`'s, a pricing-table provider name, when given)
    /// with their entries in force at `time` (milliseconds since 1970).
    public init(_ table: PriceTable, provider: String? = nil, atMilliseconds time: Int64) {
        rows = table.models.filter { provider == nil || $0.provider == provider }.map { model in
            Row(provider: model.provider, model: model.id, aliases: model.aliases, entry: model.entry(atMilliseconds: time), entries: model.entries.count)
        }
        snapshot = table.snapshot.map { ($0.date, $0.count) }
    }

    public func table() -> String {
        let cells = rows.map { row -> [String] in
            let prices = row.entry?.prices
            let input = prices.map { "\($0.input)" } ?? "-"
            let output = prices.map { "\($0.output)" } ?? "-"
            let cacheRead = prices?.cacheRead.map { "\($0)" } ?? "-"
            return [row.provider, row.model, input, output, cacheRead, row.entry?.id ?? "(none in force)"]
        }
        var text = TextTable(header: ["provider", "model", "input", "output", "cache read", "entry"], rows: cells).text
        if let snapshot {
            text += "\nand \(snapshot.count) models priced from the LiteLLM map snapshot of \(snapshot.date) when no model above matches (`pricing resolve MODEL`)\n"
        }
        return text
    }

    /// A JSON array, one object per model: `provider`, `model`, `aliases`, `entry` (the id in
    /// force, or null), `input`, `output`, `cache_read` (USD per million tokens as decimal
    /// strings, null without an entry or a cache price), `entries`.
    public func json() -> String {
        JSONDocument.array(rows.map { row -> JSONDocument in
            let prices = row.entry?.prices
            let input: JSONDocument? = prices.map { .string("\($0.input)") }
            let output: JSONDocument? = prices.map { .string("\($0.output)") }
            let cacheRead: JSONDocument? = prices?.cacheRead.map { .string("\($0)") }
            let entry: JSONDocument? = row.entry.map { .string($0.id) }
            return .object([
                "provider": .string(row.provider), "model": .string(row.model), "aliases": .array(row.aliases.map(JSONDocument.string)),
                "entry": entry, "input": input, "output": output, "cache_read": cacheRead, "entries": .integer(Int64(row.entries)),
            ])
        }).text(pretty: true)
    }
}
