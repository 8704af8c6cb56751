import LLMCostCore
import LLMCostTOML

/// One pricing file's text and the name shown in messages (`anthropic.toml`, or a user path).
public struct PricingSource: Sendable, Hashable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// A pricing file after parsing: its provider settings (`nil` where the file is silent, so a
/// user file only overrides what it writes) and its models with compiled entries.
struct ParsedPricingFile {
    var name: String
    var provider: String
    /// Other names callers use for the provider (`gemini` for `google`).
    var providerAliases: [String]
    var bareNames: Bool?
    var fallback: String?
    var vendorPrefixed: Bool?
    var models: [ModelDefinition]
    /// Where `fallback` and `provider_aliases` are written, for problems found across files.
    var fallbackLocation: SourceLocation?
    var aliasesLocation: SourceLocation?
}

/// Reads one pricing file into models and entries, collecting every problem with its line
/// instead of stopping at the first, so `llm-cost pricing validate` can list them all.
struct PricingFileParser {
    static let topLevelKeys: Set<String> = [
        "provider", "provider_aliases", "bare_names", "fallback", "vendor_prefixed", "default_cache_write_5m",
        "default_cache_write_1h", "model", "price", "notes",
    ]
    static let modelKeys: Set<String> = ["id", "aliases", "context_window", "max_output", "same_as", "notes"]
    static let priceFieldKeys: Set<String> = [
        "input", "output", "reasoning", "cache_read", "cache_write_5m", "cache_write_1h",
    ]
    static let priceKeys: Set<String> = priceFieldKeys.union([
        "model", "effective_from", "effective_until", "source", "web_search_per_1k", "web_fetch_per_1k",
        "service_tiers", "tier", "notes",
    ])
    static let tierKeys: Set<String> = priceFieldKeys.union(["above", "notes"])
    /// Prices above this many USD (per million tokens, or per 1k requests) are surely a typo,
    /// and bounding them keeps the engine's integer products far from overflow.
    static let maximumPrice = ExactDecimal(significand: 1_000_000, exponent: 0)

    let source: PricingSource
    private var issues: [PricingIssue] = []

    private init(source: PricingSource) {
        self.source = source
    }

    /// Parses `source`; the file is usable only when the returned issues are empty.
    static func parse(_ source: PricingSource) -> (ParsedPricingFile?, [PricingIssue]) {
        var parser = PricingFileParser(source: source)
        let file = parser.run()
        return (file, parser.issues)
    }

    private mutating func report(_ line: Int?, _ message: String) {
        issues.append(PricingIssue(SourceLocation(file: source.name, line: line ?? 0), message))
    }

    private mutating func run() -> ParsedPricingFile? {
        let root: TOMLTable
        do {
            root = try TOMLParser.parse(source.text)
        } catch {
            report(error.line, "not valid TOML: column \(error.column): \(error.message)")
            return nil
        }
        var top = FieldReader(table: root, file: source.name, context: "top level")
        top.rejectUnknownKeys(allowed: Self.topLevelKeys)
        guard let provider = top.string("provider", required: true) else {
            issues += top.issues
            return nil
        }
        let providerAliases = top.stringArray("provider_aliases")
        let bareNames = top.bool("bare_names")
        let fallback = top.string("fallback")
        let vendorPrefixed = top.bool("vendor_prefixed")
        let defaults = CacheWriteDefaults(
            fiveMinutes: top.decimal("default_cache_write_5m") ?? .one,
            oneHour: top.decimal("default_cache_write_1h") ?? .one)
        issues += top.issues

        var models = parseModels(root, provider: provider)
        let entries = parseEntries(root, provider: provider, defaults: defaults, models: models)
        for index in models.indices {
            models[index].entries = entries[PriceTable.normalize(models[index].id)] ?? []
            if let sameAs = models[index].sameAs {
                if !models[index].entries.isEmpty {
                    report(models[index].location.line, "model \(models[index].id) has same_as = \"\(sameAs)\" and [[price]] entries: keep one")
                }
            } else if models[index].entries.isEmpty {
                report(models[index].location.line, "model \(models[index].id) has no [[price]] entry (or same_as)")
            }
        }
        return ParsedPricingFile(
            name: source.name, provider: provider, providerAliases: providerAliases, bareNames: bareNames, fallback: fallback,
            vendorPrefixed: vendorPrefixed, models: models,
            fallbackLocation: fallback.map { _ in SourceLocation(file: source.name, line: top.lineOf("fallback")) },
            aliasesLocation: providerAliases.isEmpty ? nil : SourceLocation(file: source.name, line: top.lineOf("provider_aliases")))
    }

    private mutating func parseModels(_ root: TOMLTable, provider: String) -> [ModelDefinition] {
        guard let entry = root.entry("model") else { return [] }
        guard let array = entry.value.array else {
            report(entry.keyPosition.line, "`model` must be written as [[model]] tables")
            return []
        }
        var models: [ModelDefinition] = []
        var names: [String: String] = [:]
        for element in array {
            guard let (reader, _, headerLine) = arrayTable(element, "model", allowed: Self.modelKeys) else { continue }
            var fields = reader
            let id = fields.string("id", required: true)
            let aliases = fields.stringArray("aliases")
            let contextWindow = fields.positiveInteger("context_window")
            let maxOutput = fields.positiveInteger("max_output")
            let sameAs = fields.string("same_as")
            issues += fields.issues
            guard let id else { continue }
            // Every name the model answers to must be unique within the provider.
            for name in [id] + aliases {
                let key = PriceTable.normalize(name)
                if let owner = names[key] {
                    report(headerLine, "name \(name) of model \(id) is already used by model \(owner)")
                } else {
                    names[key] = id
                }
            }
            models.append(
                ModelDefinition(
                    provider: provider, id: id, aliases: aliases, contextWindow: contextWindow, maxOutput: maxOutput,
                    entries: [], location: SourceLocation(file: source.name, line: headerLine), sameAs: sameAs))
        }
        return models
    }

    /// The reader of one `[[name]]` table, with its header line and unknown keys already
    /// reported; `nil` (reported) when that element is not a table.
    private mutating func arrayTable(
        _ element: TOMLArray.Element, _ name: String, allowed: Set<String>
    ) -> (FieldReader, TOMLTable, Int)? {
        guard let table = element.value.table else {
            report(element.position.line, "each [[\(name)]] must be a table")
            return nil
        }
        var fields = FieldReader(table: table, file: source.name, context: "[[\(name)]]")
        fields.rejectUnknownKeys(allowed: allowed)
        return (fields, table, element.position.line)
    }

    /// A `[[price]]` table before its end date is known (that needs the model's next entry).
    private struct DraftEntry {
        var model: String
        var from: Int64
        var until: Int64?
        var source: String
        var prices: TokenPrices
        var tiers: [ContextTier]
        var serviceTiers: [ServiceTier: ExactDecimal]
        var webSearch: ExactDecimal?
        var webFetch: ExactDecimal?
        var line: Int
    }

    private mutating func parseEntries(
        _ root: TOMLTable, provider: String, defaults: CacheWriteDefaults, models: [ModelDefinition]
    ) -> [String: [PriceEntry]] {
        guard let entry = root.entry("price") else { return [:] }
        guard let array = entry.value.array else {
            report(entry.keyPosition.line, "`price` must be written as [[price]] tables")
            return [:]
        }
        let modelIDs = Dictionary(models.map { (PriceTable.normalize($0.id), $0.id) }) { first, _ in first }
        var drafts: [String: [DraftEntry]] = [:]
        for element in array {
            guard let (reader, table, headerLine) = arrayTable(element, "price", allowed: Self.priceKeys) else { continue }
            var fields = reader
            let modelName = fields.string("model", required: true)
            let from = fields.date("effective_from", required: true)
            let until = fields.date("effective_until")
            let sourceURL = fields.string("source", required: true)
            let prices = fields.tokenPrices()
            let webSearch = fields.price("web_search_per_1k")
            let webFetch = fields.price("web_fetch_per_1k")
            let serviceTiers = fields.serviceTiers()
            issues += fields.issues
            let tiers = parseTiers(table)

            if let from, let until, until <= from {
                report(fields.lineOf("effective_until"), "effective_until must be after effective_from")
            }
            guard let modelName, let from, let sourceURL, let prices else { continue }
            guard let canonical = modelIDs[PriceTable.normalize(modelName)] else {
                report(fields.lineOf("model"), "model \(modelName) has no [[model]] table in this file")
                continue
            }
            drafts[PriceTable.normalize(canonical), default: []].append(
                DraftEntry(
                    model: canonical, from: from, until: until, source: sourceURL, prices: prices, tiers: tiers,
                    serviceTiers: serviceTiers, webSearch: webSearch, webFetch: webFetch, line: headerLine))
        }

        var result: [String: [PriceEntry]] = [:]
        for (key, list) in drafts {
            let sorted = list.sorted { $0.from < $1.from }
            var entries: [PriceEntry] = []
            for (position, draft) in sorted.enumerated() {
                let next = position + 1 < sorted.count ? sorted[position + 1] : nil
                if let next {
                    if next.from == draft.from {
                        report(next.line, "\(draft.model) has two entries from \(PricingDate.format(draft.from)) (the other at line \(draft.line))")
                    } else if let until = draft.until, until > next.from {
                        report(
                            next.line,
                            "\(draft.model) entry from \(PricingDate.format(next.from)) overlaps the entry at line \(draft.line), which runs until \(PricingDate.format(until))")
                    }
                }
                let until = draft.until ?? next?.from ?? Int64.max
                let compiled: CompiledEntry
                do {
                    compiled = try CompiledEntry.compile(
                        prices: draft.prices, contextTiers: draft.tiers, serviceTiers: draft.serviceTiers,
                        webSearchPer1k: draft.webSearch, webFetchPer1k: draft.webFetch, cacheWriteDefaults: defaults,
                        until: min(until, next?.from ?? Int64.max))
                } catch {
                    report(draft.line, error.message)
                    continue
                }
                entries.append(
                    PriceEntry(
                        provider: provider, model: draft.model, effectiveFrom: draft.from, effectiveUntil: draft.until,
                        source: draft.source, prices: draft.prices, contextTiers: draft.tiers,
                        serviceTiers: draft.serviceTiers, webSearchPer1k: draft.webSearch, webFetchPer1k: draft.webFetch,
                        location: SourceLocation(file: source.name, line: draft.line), compiled: compiled,
                        id: "\(provider)/\(draft.model)@\(PricingDate.format(draft.from))"))
            }
            result[key] = entries
        }
        return result
    }

    private mutating func parseTiers(_ price: TOMLTable) -> [ContextTier] {
        guard let entry = price.entry("tier") else { return [] }
        guard let array = entry.value.array else {
            report(entry.keyPosition.line, "`tier` must be written as [[price.tier]] tables")
            return []
        }
        var tiers: [ContextTier] = []
        for element in array {
            guard let table = element.value.table else {
                report(element.position.line, "each [[price.tier]] must be a table")
                continue
            }
            var fields = FieldReader(table: table, file: source.name, context: "[[price.tier]]")
            fields.rejectUnknownKeys(allowed: Self.tierKeys)
            let above = fields.positiveInteger("above", required: true)
            let prices = fields.tokenPrices()
            issues += fields.issues
            guard let above, let prices else { continue }
            if let last = tiers.last, last.aboveTokens >= above {
                report(fields.lineOf("above"), "tiers must be written in ascending order of `above` (\(above) after \(last.aboveTokens))")
                continue
            }
            tiers.append(ContextTier(aboveTokens: above, prices: prices))
        }
        return tiers
    }
}

/// Reads typed fields of one TOML table, recording a located issue for each bad one.
private struct FieldReader {
    let table: TOMLTable
    let file: String
    let context: String
    var issues: [PricingIssue] = []

    /// The line `key` is written on; the table's own line (its header) for `nil` or a missing key.
    func lineOf(_ key: String?) -> Int {
        key.flatMap { table.entry($0)?.keyPosition.line } ?? table.position.line
    }

    private mutating func report(_ key: String?, _ message: String) {
        issues.append(PricingIssue(SourceLocation(file: file, line: lineOf(key)), message))
    }

    mutating func rejectUnknownKeys(allowed: Set<String>) {
        for key in table.keys where !allowed.contains(key) {
            report(key, "unknown field `\(key)` in \(context) (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = table[key] else {
            if required { report(nil, "missing `\(key)` in \(context)") }
            return nil
        }
        guard case .string(let text) = value, !text.isEmpty else {
            report(key, "`\(key)` must be a non-empty string")
            return nil
        }
        return text
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let value = table[key] else { return nil }
        guard case .boolean(let flag) = value else {
            report(key, "`\(key)` must be true or false")
            return nil
        }
        return flag
    }

    mutating func stringArray(_ key: String) -> [String] {
        guard let value = table[key] else { return [] }
        guard let array = value.array else {
            report(key, "`\(key)` must be an array of strings")
            return []
        }
        var result: [String] = []
        for element in array {
            guard case .string(let text) = element.value, !text.isEmpty else {
                report(key, "`\(key)` must contain only non-empty strings")
                continue
            }
            result.append(text)
        }
        return result
    }

    mutating func positiveInteger(_ key: String, required: Bool = false) -> Int64? {
        guard let value = table[key] else {
            if required { report(nil, "missing `\(key)` in \(context)") }
            return nil
        }
        guard case .integer(let number) = value, number > 0 else {
            report(key, "`\(key)` must be a positive integer")
            return nil
        }
        return number
    }

    /// A decimal written as a string (`"3.75"`) or an integer (`3`). Floats are refused: most
    /// decimal prices have no exact binary form.
    mutating func decimal(_ key: String) -> ExactDecimal? {
        guard let value = table[key] else { return nil }
        let parsed: ExactDecimal?
        switch value {
        case .string(let text):
            parsed = ExactDecimal(text)
            if parsed == nil {
                report(key, "`\(key)` = \"\(text)\" is not a decimal number (expected e.g. \"3.75\")")
                return nil
            }
        case .integer(let number):
            parsed = ExactDecimal(String(number))
        case .float:
            report(key, "`\(key)` is a float; write prices as quoted decimals (\"0.30\") so they stay exact")
            return nil
        default:
            report(key, "`\(key)` must be a decimal written as a string, e.g. \"3.75\"")
            return nil
        }
        guard let parsed else { return nil }
        if parsed.isNegative {
            report(key, "`\(key)` must not be negative (\(parsed))")
            return nil
        }
        return parsed
    }

    /// A price: a non-negative decimal no larger than `maximumPrice`.
    mutating func price(_ key: String, required: Bool = false) -> ExactDecimal? {
        guard table[key] != nil else {
            if required { report(nil, "missing price `\(key)` in \(context)") }
            return nil
        }
        guard let value = decimal(key) else { return nil }
        if value.exactInteger(atScale: CompiledEntry.rateScale) == nil {
            report(key, "`\(key)` = \(value) has more than \(CompiledEntry.rateScale) decimal places")
            return nil
        }
        if value.rounded(toScale: 0).map({ $0 > 1_000_000 }) ?? true {
            report(key, "`\(key)` = \(value) is over 1,000,000 USD per million tokens: a per-token price by mistake?")
            return nil
        }
        return value
    }

    mutating func tokenPrices() -> TokenPrices? {
        let input = price("input", required: true)
        let output = price("output", required: true)
        let reasoning = price("reasoning")
        let cacheRead = price("cache_read")
        let cacheWrite5m = price("cache_write_5m")
        let cacheWrite1h = price("cache_write_1h")
        guard let input, let output else { return nil }
        return TokenPrices(
            input: input, output: output, reasoning: reasoning, cacheRead: cacheRead, cacheWrite5m: cacheWrite5m,
            cacheWrite1h: cacheWrite1h)
    }

    mutating func serviceTiers() -> [ServiceTier: ExactDecimal] {
        guard let value = table["service_tiers"] else { return [:] }
        guard case .table(let inner) = value else {
            report("service_tiers", "`service_tiers` must be a table such as { batch = \"0.5\", priority = \"2\" }")
            return [:]
        }
        var result: [ServiceTier: ExactDecimal] = [:]
        var nested = FieldReader(table: inner, file: file, context: "service_tiers")
        let tiers = ServiceTier.allCases.filter { $0 != .standard }
        nested.rejectUnknownKeys(allowed: Set(tiers.map(\.rawValue)))
        for tier in tiers {
            guard let multiplier = nested.decimal(tier.rawValue) else { continue }
            if multiplier.significand == 0 {
                nested.report(tier.rawValue, "the \(tier.rawValue) multiplier must be above zero")
                continue
            }
            result[tier] = multiplier
        }
        issues += nested.issues
        return result
    }

    /// A date (`2025-09-29`, TOML date or string) or an offset date-time.
    mutating func date(_ key: String, required: Bool = false) -> Int64? {
        guard let value = table[key] else {
            if required { report(nil, "missing `\(key)` in \(context)") }
            return nil
        }
        // TOML dates are already checked: convert them by arithmetic (a date formatter per entry
        // would dominate loading the table).
        var milliseconds: Int64?
        switch value {
        case .date(let date):
            milliseconds = Int64(Timestamp.daysFromCivil(year: date.year, month: date.month, day: date.day)) * 86_400_000
        case .dateTime(let dateTime):
            guard dateTime.offsetMinutes != nil else {
                report(key, "`\(key)` needs a time zone (write Z for UTC)")
                return nil
            }
            milliseconds = Timestamp.parseMilliseconds(dateTime.description)
        case .string(let written):
            milliseconds = PricingDate.parse(written)
        default:
            break
        }
        guard let milliseconds else {
            report(key, "`\(key)` must be a date such as 2025-09-29 or 2025-09-29T17:00:00Z")
            return nil
        }
        return milliseconds
    }
}
