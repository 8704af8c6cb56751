import Foundation
import LLMCostCore

/// Turns a LiteLLM price map (`model_prices_and_context_window.json`, per-token USD) into user
/// pricing files, after comparing each model with the table: what is new, what changed.
///
/// Per-token prices arrive as JSON numbers. Each is read back through its shortest decimal
/// form (`3e-06`), which is the text LiteLLM wrote, then scaled to per-million exactly.
public struct LiteLLMImport: Sendable {
    /// One model as LiteLLM prices it, in the table's terms.
    public struct Model: Sendable {
        /// LiteLLM's key, as found in the map.
        public var key: String
        public var provider: String
        /// The id the table will use (the table's own id when it knows the model).
        public var id: String
        /// LiteLLM's key without its provider prefix.
        public var calledAs: String
        public var prices: TokenPrices
        public var contextTiers: [ContextTier]
        public var serviceTiers: [ServiceTier: ExactDecimal]
        public var webSearchPer1k: ExactDecimal?
        public var contextWindow: Int64?
        public var maxOutput: Int64?
        public var source: String?
    }

    /// How a model compares with the table in force at the import date.
    public enum Change: Sendable {
        case added
        /// Each differing field: `input 3 → 3.5`.
        case changed([String])
        case unchanged
    }

    public var models: [(model: Model, change: Change)]
    /// Keys not imported: other providers, non-text modes, or no token prices.
    public var skipped: Int

    /// LiteLLM's provider names → the table's.
    static let providerNames: [String: String] = [
        "anthropic": "anthropic", "openai": "openai", "text-completion-openai": "openai", "gemini": "google",
        "mistral": "mistral", "deepseek": "deepseek", "xai": "xai", "azure": "azure", "openrouter": "openrouter",
    ]
    static let modes: Set<String> = ["chat", "completion", "embedding", "responses"]

    /// Reads `data` (the JSON map) and compares it with `table` at `time`; `providers` limits
    /// the import to those table providers.
    public static func plan(
        json data: Data, fileName: String, against table: PriceTable, at time: Int64, providers: Set<String>? = nil
    ) throws(PricingError) -> LiteLLMImport {
        let root = try readMap(json: data, fileName: fileName)

        var skipped = 0
        var byModel: [String: (model: Model, change: Change)] = [:]
        for key in root.keys.sorted() {
            guard let fields = root[key] as? [String: Any], let model = convert(key: key, fields), providers.map({ $0.contains(model.provider) }) ?? true
            else {
                skipped += 1
                continue
            }
            let (canonical, change) = compare(model, with: table, at: time)
            let slot = "\(canonical.provider)/\(PriceTable.normalize(canonical.id))"
            // Several LiteLLM keys (dated ids, prefixed names) often price one table model:
            // keep the one named like the model itself, else the first.
            if let existing = byModel[slot], existing.model.calledAs == existing.model.id || model.calledAs != canonical.id {
                continue
            }
            byModel[slot] = (canonical, change)
        }
        let models = byModel.keys.sorted().compactMap { byModel[$0] }
        return LiteLLMImport(models: models, skipped: skipped)
    }

    /// The user files to write: one per provider (`litellm-<provider>.toml`), with the new and
    /// changed models, each with one entry from `effectiveFrom`.
    public func files(effectiveFrom: Int64, mapName: String, includeNew: Bool) -> [PricingSource] {
        var byProvider: [String: [Model]] = [:]
        for (model, change) in models {
            switch change {
            case .unchanged: continue
            case .added where !includeNew: continue
            default: byProvider[model.provider, default: []].append(model)
            }
        }
        return byProvider.keys.sorted().map { provider in
            var lines = [
                "# Imported from the LiteLLM price map \(mapName) by `llm-cost pricing import`.",
                "# Review like code: these entries replace the built-in price history of each model below.",
                "",
                "provider = \(quoted(provider))",
            ]
            for model in byProvider[provider] ?? [] {
                lines += ["", "[[model]]", "id = \(quoted(model.id))"]
                if let window = model.contextWindow { lines.append("context_window = \(window)") }
                if let maxOutput = model.maxOutput { lines.append("max_output = \(maxOutput)") }
                lines += ["", "[[price]]", "model = \(quoted(model.id))", "effective_from = \(PricingDate.format(effectiveFrom))"]
                lines.append("source = \(quoted(model.source ?? "https://github.com/BerriAI/litellm (\(model.key))"))")
                lines += priceLines(model.prices)
                if let search = model.webSearchPer1k { lines.append("web_search_per_1k = \(quoted("\(search)"))") }
                if !model.serviceTiers.isEmpty {
                    let tiers = ServiceTier.allCases.compactMap { tier in
                        model.serviceTiers[tier].map { "\(tier.rawValue) = \(quoted("\($0)"))" }
                    }
                    lines.append("service_tiers = { \(tiers.joined(separator: ", ")) }")
                }
                for tier in model.contextTiers {
                    lines += ["", "  [[price.tier]]", "  above = \(tier.aboveTokens)"] + priceLines(tier.prices).map { "  " + $0 }
                }
            }
            return PricingSource(name: "litellm-\(provider).toml", text: lines.joined(separator: "\n") + "\n")
        }
    }

    private func priceLines(_ prices: TokenPrices) -> [String] {
        var lines = ["input = \(quoted("\(prices.input)"))", "output = \(quoted("\(prices.output)"))"]
        if let value = prices.reasoning { lines.append("reasoning = \(quoted("\(value)"))") }
        if let value = prices.cacheRead { lines.append("cache_read = \(quoted("\(value)"))") }
        if let value = prices.cacheWrite5m { lines.append("cache_write_5m = \(quoted("\(value)"))") }
        if let value = prices.cacheWrite1h { lines.append("cache_write_1h = \(quoted("\(value)"))") }
        return lines
    }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    // MARK: - Reading one LiteLLM entry

    /// The map's top-level object (model key → fields); throws, naming `fileName`, for data
    /// that is not JSON or not an object.
    static func readMap(json data: Data, fileName: String) throws(PricingError) -> [String: Any] {
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw PricingError.invalidImport(fileName, "expected a JSON object of model → prices")
            }
            return object
        } catch let error as PricingError {
            throw error
        } catch {
            throw .invalidImport(fileName, "not valid JSON: \(error.localizedDescription)")
        }
    }

    static func convert(key: String, _ fields: [String: Any]) -> Model? {
        guard let litellmProvider = fields["litellm_provider"] as? String,
            let provider = providerNames[litellmProvider],
            modes.contains((fields["mode"] as? String) ?? "chat"),
            let input = perMillion(fields["input_cost_per_token"]),
            let output = perMillion(fields["output_cost_per_token"])
        else { return nil }
        var id = key
        for prefix in [litellmProvider + "/", provider + "/"] where id.hasPrefix(prefix) {
            id = String(id.dropFirst(prefix.count))
            break
        }
        let prices = TokenPrices(
            input: input, output: output, reasoning: perMillion(fields["output_cost_per_reasoning_token"]).flatMap { $0 == output ? nil : $0 },
            cacheRead: perMillion(fields["cache_read_input_token_cost"]),
            cacheWrite5m: perMillion(fields["cache_creation_input_token_cost"]),
            cacheWrite1h: perMillion(fields["cache_creation_input_token_cost_above_1hr"]))
        var tiers: [ContextTier] = []
        for threshold in [128, 200, 272] {
            let suffix = "_above_\(threshold)k_tokens"
            guard let tierInput = perMillion(fields["input_cost_per_token" + suffix]) else { continue }
            tiers.append(
                ContextTier(
                    aboveTokens: Int64(threshold) * 1000,
                    prices: TokenPrices(
                        input: tierInput, output: perMillion(fields["output_cost_per_token" + suffix]) ?? output,
                        cacheRead: perMillion(fields["cache_read_input_token_cost" + suffix]),
                        cacheWrite5m: perMillion(fields["cache_creation_input_token_cost" + suffix]))))
        }
        // LiteLLM writes each service tier's prices; the table keeps one multiplier per tier,
        // so a tier is imported only when input and output scale by the same factor.
        var serviceTiers: [ServiceTier: ExactDecimal] = [:]
        for (tier, suffix) in [(ServiceTier.batch, "_batches"), (.flex, "_flex"), (.priority, "_priority")] {
            guard let tierInput = perMillion(fields["input_cost_per_token" + suffix]),
                let tierOutput = perMillion(fields["output_cost_per_token" + suffix]),
                let factor = ratio(tierInput, input), ratio(tierOutput, output) == factor
            else { continue }
            serviceTiers[tier] = factor
        }
        var webSearch: ExactDecimal?
        if let search = fields["search_context_cost_per_query"] as? [String: Any],
            let perQuery = decimal(search["search_context_size_medium"])
        {
            webSearch = perQuery.multiplied(by: ExactDecimal(significand: 1, exponent: 3))
        }
        return Model(
            key: key, provider: provider, id: id, calledAs: id, prices: prices, contextTiers: tiers, serviceTiers: serviceTiers,
            webSearchPer1k: webSearch, contextWindow: integer(fields["max_input_tokens"]),
            maxOutput: integer(fields["max_output_tokens"]), source: (fields["source"] as? String).flatMap { $0.hasPrefix("https://") ? $0 : nil })
    }

    /// A JSON number through its shortest decimal text, exactly.
    static func decimal(_ value: Any?) -> ExactDecimal? {
        guard let number = value as? NSNumber, !(value is Bool) else { return nil }
        let double = number.doubleValue
        guard double.isFinite, double >= 0 else { return nil }
        return ExactDecimal("\(double)")
    }

    static func perMillion(_ value: Any?) -> ExactDecimal? {
        decimal(value)?.multiplied(by: ExactDecimal(significand: 1, exponent: 6)).map(trimmed)
    }

    private static func integer(_ value: Any?) -> Int64? {
        guard let number = value as? NSNumber, number.int64Value > 0 else { return nil }
        return number.int64Value
    }

    /// `part / whole` when it is a short exact decimal (0.5, 1.75, 2), else `nil`.
    static func ratio(_ part: ExactDecimal, _ whole: ExactDecimal) -> ExactDecimal? {
        guard let denominator = whole.exactInteger(atScale: 12), denominator > 0,
            let numerator = part.exactInteger(atScale: 12)
        else { return nil }
        // Try multipliers with up to four decimals: numerator × 10⁴ must divide exactly.
        let scaled = Int128(numerator) * 10_000
        guard scaled % Int128(denominator) == 0 else { return nil }
        let value = scaled / Int128(denominator)
        return trimmed(ExactDecimal(significand: UInt128(value), exponent: -4))
    }

    /// The same value without trailing zeros in the significand (`2.5000` → `2.5`).
    static func trimmed(_ value: ExactDecimal) -> ExactDecimal {
        var result = value
        while result.significand != 0, result.significand % 10 == 0 {
            result.significand /= 10
            result.exponent += 1
        }
        return result
    }

    // MARK: - Comparing with the table

    /// The model under the name the table uses, and how its prices differ from the entry in
    /// force. A model the table prices only through another provider (Azure → OpenAI,
    /// OpenRouter → the vendor) is new to its own provider when LiteLLM prices it differently.
    static func compare(_ model: Model, with table: PriceTable, at time: Int64) -> (Model, Change) {
        guard let known = table.model(provider: model.provider, model: model.id) else { return (model, .added) }
        let differences = known.entry(atMilliseconds: time).map { differencesFrom($0, to: model) } ?? ["no entry in force"]
        if differences.isEmpty { return (model, .unchanged) }
        let sameProvider = PriceTable.normalize(known.provider) == PriceTable.normalize(model.provider) && known.id != "*"
        guard sameProvider else { return (model, .added) }
        var canonical = model
        canonical.id = known.id
        return (canonical, .changed(differences))
    }

    private static func differencesFrom(_ entry: PriceEntry, to model: Model) -> [String] {
        let fields: [(String, ExactDecimal?, ExactDecimal?)] = [
            ("input", entry.prices.input, model.prices.input),
            ("output", entry.prices.output, model.prices.output),
            ("cache_read", entry.prices.cacheRead, model.prices.cacheRead),
            ("cache_write_5m", entry.prices.cacheWrite5m, model.prices.cacheWrite5m),
            ("cache_write_1h", entry.prices.cacheWrite1h, model.prices.cacheWrite1h),
        ]
        var differences: [String] = []
        for (name, ours, theirs) in fields {
            // A price LiteLLM does not state is not a difference; one it states differently is.
            guard let theirs else { continue }
            let oursValue = ours?.exactInteger(atScale: 12)
            if oursValue != theirs.exactInteger(atScale: 12) {
                differences.append("\(name) \(ours.map { "\($0)" } ?? "(unset)") → \(theirs)")
            }
        }
        return differences
    }
}
