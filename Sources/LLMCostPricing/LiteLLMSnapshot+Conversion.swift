import Foundation
import LLMCostCore

extension LiteLLMSnapshot {
    /// A LiteLLM map turned into snapshot rows, and how many keys were left out.
    public struct Conversion: Sendable {
        /// Sorted by key.
        public var rows: [Row]
        /// Keys left out: other modes (images, embeddings, audio...), no per-token input and
        /// output price, or a key that cannot be written on one line.
        public var skipped: Int
    }

    /// The modes the snapshot keeps: text generation billed per token.
    public static let modes: Set<String> = ["chat", "completion", "responses"]

    /// Converts LiteLLM's `model_prices_and_context_window.json`. Throws, naming `fileName`, for
    /// data that is not a JSON object of models or holds no model the snapshot can keep.
    ///
    /// The map's known defects are neutralised rather than copied: a `$0` cache-write (or
    /// reasoning) price is treated as absent, so cache writes bill at the input price (reasoning
    /// as output) instead of free. Prices the map leaves out stay out: no long-context or
    /// service tier is invented.
    public static func convert(json data: Data, fileName: String) throws(PricingError) -> Conversion {
        let root = try LiteLLMImport.readMap(json: data, fileName: fileName)
        var rows: [Row] = []
        var skipped = 0
        var seen: Set<String> = []
        for key in root.keys.sorted() {
            guard let fields = root[key] as? [String: Any], let row = row(key: key, fields),
                seen.insert(PriceTable.normalize(key)).inserted
            else {
                skipped += 1
                continue
            }
            rows.append(row)
        }
        guard !rows.isEmpty else {
            throw .invalidImport(fileName, "no chat, completion or responses model with per-token prices: not a LiteLLM price map?")
        }
        return Conversion(rows: rows, skipped: skipped)
    }

    /// One map entry as a row, or `nil` when the snapshot does not keep it.
    static func row(key: String, _ fields: [String: Any]) -> Row? {
        guard !key.isEmpty, !key.hasPrefix("#"), key.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }),
            let mode = fields["mode"] as? String, modes.contains(mode),
            let provider = fields["litellm_provider"] as? String, !provider.isEmpty,
            provider.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }),
            let input = price(fields["input_cost_per_token"]),
            let output = price(fields["output_cost_per_token"])
        else { return nil }
        let cacheRead = price(fields["cache_read_input_token_cost"])
        let cacheWrite5m = nonZeroPrice(fields["cache_creation_input_token_cost"])
        let cacheWrite1h = nonZeroPrice(fields["cache_creation_input_token_cost_above_1hr"])
        let reasoning = nonZeroPrice(fields["output_cost_per_reasoning_token"]).flatMap { $0 == output ? nil : $0 }
        var row = Row(
            key: key, provider: provider,
            prices: TokenPrices(
                input: input, output: output, reasoning: reasoning, cacheRead: cacheRead, cacheWrite5m: cacheWrite5m,
                cacheWrite1h: cacheWrite1h))

        // Long context: `input_cost_per_token_above_200k_tokens` and its siblings. A price the
        // tier leaves out is the base price, as LiteLLM computes it.
        for threshold in contextThresholds(in: fields) {
            let suffix = "_above_\(threshold)k_tokens"
            guard let tierInput = price(fields["input_cost_per_token" + suffix]) else { continue }
            row.contextTiers.append(
                ContextTier(
                    aboveTokens: Int64(threshold) * 1000,
                    prices: TokenPrices(
                        input: tierInput, output: price(fields["output_cost_per_token" + suffix]) ?? output,
                        cacheRead: price(fields["cache_read_input_token_cost" + suffix]) ?? cacheRead,
                        cacheWrite5m: nonZeroPrice(fields["cache_creation_input_token_cost" + suffix]) ?? cacheWrite5m,
                        cacheWrite1h: nonZeroPrice(fields["cache_creation_input_token_cost_above_1hr" + suffix]) ?? cacheWrite1h)))
        }
        // The table keeps one multiplier per service tier: a tier is kept only when input and
        // output scale by the same short factor.
        for (tier, suffix) in [(ServiceTier.batch, "_batches"), (.flex, "_flex"), (.priority, "_priority")] {
            guard let tierInput = price(fields["input_cost_per_token" + suffix]),
                let tierOutput = price(fields["output_cost_per_token" + suffix]),
                let factor = LiteLLMImport.ratio(tierInput, input), factor.significand != 0,
                LiteLLMImport.ratio(tierOutput, output) == factor
            else { continue }
            row.serviceTiers[tier] = factor
        }
        if let search = fields["search_context_cost_per_query"] as? [String: Any],
            let perMillionQueries = price(search["search_context_size_medium"]), perMillionQueries.significand != 0
        {
            // Per query × 10⁶ from `price`, so ÷ 1000 for the table's per 1,000 requests.
            row.webSearchPer1k = LiteLLMImport.trimmed(
                ExactDecimal(significand: perMillionQueries.significand, exponent: perMillionQueries.exponent - 3))
        }
        // A row the table could not compile (a price with more than 12 decimals per million
        // tokens, or absurdly large) is left out rather than rounded.
        var all: [ExactDecimal?] = [
            row.prices.input, row.prices.output, row.prices.reasoning, row.prices.cacheRead, row.prices.cacheWrite5m,
            row.prices.cacheWrite1h, row.webSearchPer1k,
        ]
        for tier in row.contextTiers {
            all += [tier.prices.input, tier.prices.output, tier.prices.cacheRead, tier.prices.cacheWrite5m, tier.prices.cacheWrite1h]
        }
        guard all.allSatisfy({ $0.map(isRepresentable) ?? true }) else { return nil }
        return row
    }

    /// The thresholds (in thousands of tokens) of the map's `input_cost_per_token_above_<N>k_tokens`
    /// fields, ascending.
    private static func contextThresholds(in fields: [String: Any]) -> [Int] {
        let prefix = "input_cost_per_token_above_"
        let suffix = "k_tokens"
        return fields.keys.compactMap { name -> Int? in
            guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
            let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits), value > 0 else { return nil }
            return value
        }.sorted()
    }

    /// A per-token JSON number as USD per million tokens, through its shortest decimal form.
    private static func price(_ value: Any?) -> ExactDecimal? {
        // On Linux a JSON 0 or 1 is also `is Bool`; only a real boolean has objCType "c".
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        let double = number.doubleValue
        guard double.isFinite, double >= 0, let decimal = ExactDecimal("\(double)") else { return nil }
        return decimal.multiplied(by: ExactDecimal(significand: 1, exponent: 6)).map(LiteLLMImport.trimmed)
    }

    /// Like `price`, with `$0` treated as absent: the map writes 0 where it means "not stated".
    private static func nonZeroPrice(_ value: Any?) -> ExactDecimal? {
        price(value).flatMap { $0.significand == 0 ? nil : $0 }
    }

    private static func isRepresentable(_ value: ExactDecimal) -> Bool {
        value.exactInteger(atScale: CompiledEntry.rateScale) != nil && (value.rounded(toScale: 0).map { $0 <= 1_000_000 } ?? false)
    }
}

// MARK: - Comparing two snapshots

extension LiteLLMSnapshot {
    /// What a new snapshot changes against the one in use: keys added, keys whose prices
    /// differ, keys gone.
    public struct Changes: Sendable {
        public var added: [String] = []
        public var changed: [String] = []
        public var removed: [String] = []
    }

    /// The rows of this snapshot, as they were read.
    public var rows: [Row] {
        (0..<count).compactMap { position in
            model(at: position)?.entries.first.map { entry in
                Row(
                    key: keys[position], provider: litellmProviders[position], prices: entry.prices, contextTiers: entry.contextTiers, serviceTiers: entry.serviceTiers,
                    webSearchPer1k: entry.webSearchPer1k)
            }
        }
    }

    /// Compares `rows` with this snapshot, by key and by the line each would be written as.
    public func changes(to rows: [Row]) -> Changes {
        var current: [String: String] = [:]
        for row in self.rows { current[row.key] = Self.line(for: row) }
        var changes = Changes()
        var kept: Set<String> = []
        for row in rows {
            kept.insert(row.key)
            guard let line = current[row.key] else {
                changes.added.append(row.key)
                continue
            }
            if line != Self.line(for: row) { changes.changed.append(row.key) }
        }
        changes.removed = current.keys.filter { !kept.contains($0) }.sorted()
        return changes
    }
}
