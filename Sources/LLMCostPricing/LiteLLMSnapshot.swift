import LLMCostCore
import Synchronization

/// A dated, compact copy of LiteLLM's price map: the fallback that prices the long tail of
/// models the curated table does not list, each call labelled with the map key that priced it.
///
/// The curated table always wins: a snapshot model prices a call only when no curated rule
/// (ids, aliases, prefixes, vendor paths, dated ids, fallback providers, `*` models) matches.
/// The map has no price history, so a snapshot model prices calls of any date at the
/// snapshot's prices, and its entry id says so: `litellm@2026-11-20:zai/glm-4.6`.
///
/// The text format (`pricing/litellm-snapshot.tsv`) is one model per line, tab-separated,
/// written by `llm-cost pricing update --litellm` and read back here:
///
/// ```
/// litellm-snapshot	1	2026-11-20
/// zai/glm-4.6	zai	0.6	2.2	0.11
/// ```
///
/// Columns: the key, LiteLLM's provider for it, then in USD per million tokens (an empty column
/// is a price the map does not state; trailing empty columns are left out): input, output, cache
/// read, 5-minute cache write, 1-hour cache write, reasoning; web search per 1,000 requests;
/// service tiers (`batch=0.5,priority=2`); long-context tiers (`200000=6/22.5/0.6/7.5/12;...`:
/// above, then input/output/cache read/writes). Lines starting with `#` are comments.
///
/// Loading indexes the keys only; a model's line is parsed and compiled the first time a call
/// needs it (then cached), so every CLI run does not pay for thousands of models it never
/// prices. `LiteLLMSnapshot.read(_:checkingEveryLine: true)` (used by `pricing validate`) checks
/// every line.
public struct LiteLLMSnapshot: Sendable {
    /// The snapshot's file name, in the package's `pricing/` folder and in a user pricing folder
    /// (where it replaces the built-in one).
    public static let fileName = "litellm-snapshot.tsv"
    /// The first field of the header line, and the format version it carries.
    static let magic = "litellm-snapshot"
    static let formatVersion = "1"
    /// The provider name snapshot models carry (`pricing resolve` shows `litellm/<key>`).
    public static let providerName = "litellm"
    /// The `pricing_entry` prefix of every call the snapshot priced: `litellm@`.
    public static let entryPrefix = PriceQuote.liteLLMSnapshotPrefix

    /// One model of the map, in the table's terms.
    public struct Row: Sendable, Hashable {
        /// LiteLLM's key, as written in the map (`gemini/gemini-3-pro-preview`).
        public var key: String
        /// LiteLLM's provider of the key (`litellm_provider`: `gemini`, `openai`, `vercel_ai_gateway`).
        public var provider: String
        public var prices: TokenPrices
        /// Long-context tiers, ascending by threshold.
        public var contextTiers: [ContextTier]
        public var serviceTiers: [ServiceTier: ExactDecimal]
        public var webSearchPer1k: ExactDecimal?

        public init(
            key: String, provider: String, prices: TokenPrices, contextTiers: [ContextTier] = [],
            serviceTiers: [ServiceTier: ExactDecimal] = [:], webSearchPer1k: ExactDecimal? = nil
        ) {
            self.key = key
            self.provider = provider
            self.prices = prices
            self.contextTiers = contextTiers
            self.serviceTiers = serviceTiers
            self.webSearchPer1k = webSearchPer1k
        }
    }

    /// The day the map was taken, `YYYY-MM-DD`.
    public let date: String
    /// Where it was read from (`litellm-snapshot.tsv`, or a user path), for messages.
    public let fileName: String
    /// The text, kept to parse a model's line when it is first needed.
    let bytes: [UInt8]
    /// Per model, in file order: its line's bytes, its line number, its key as written and
    /// LiteLLM's provider of it.
    let lines: [Range<Int>]
    let lineNumbers: [Int]
    let keys: [String]
    let litellmProviders: [String]
    /// Normalized key → model position.
    let index: [String: Int]
    let dateMilliseconds: Int64
    /// Parsed and compiled models, by position; `nil` for a line that does not parse.
    private let parsed: ParsedModels

    /// How many models the snapshot lists.
    public var count: Int { keys.count }

    /// The model at `position` (file order) as a table model (provider `litellm`, id = the map
    /// key) with one entry; `nil` if its line is malformed (`pricing validate` says why).
    public func model(at position: Int) -> ModelDefinition? {
        if let cached = parsed.models.withLock({ $0[position] }) { return cached }
        var reader = SnapshotReader(bytes: bytes, name: fileName, date: date, dateMilliseconds: dateMilliseconds)
        let model = reader.model(line: lines[position], number: lineNumbers[position])
        parsed.models.withLock { $0[position] = .some(model) }
        return model
    }

    /// The model priced under `key` (compared as the table compares names: case-insensitive,
    /// `.` equal to `-`), if the snapshot has it.
    public func model(key: String) -> ModelDefinition? {
        index[PriceTable.normalize(key)].flatMap(model(at:))
    }

    /// Every model that parses, in file order.
    public var models: [ModelDefinition] { (0..<count).compactMap(model(at:)) }
}

/// The snapshot's models parsed so far, shared by copies of the snapshot (they read the same
/// text), so a model is parsed and compiled once per process.
private final class ParsedModels: Sendable {
    let models = Mutex<[Int: ModelDefinition?]>([:])
}

// MARK: - Reading

extension LiteLLMSnapshot {
    /// Reads a snapshot: the header and every key, collecting each problem with its line. With
    /// `checkingEveryLine`, every model line is also parsed and compiled now (`pricing
    /// validate`, `pricing update`); otherwise a line is parsed when first needed. The snapshot
    /// is usable only when the returned issues are empty.
    public static func read(_ source: PricingSource, checkingEveryLine: Bool = false) -> (LiteLLMSnapshot?, [PricingIssue]) {
        let bytes = Array(source.text.utf8)
        var reader = SnapshotReader(bytes: bytes, name: source.name, date: "", dateMilliseconds: 0)
        guard let layout = reader.index() else { return (nil, reader.issues) }
        let snapshot = LiteLLMSnapshot(
            date: layout.date, fileName: source.name, bytes: bytes, lines: layout.lines, lineNumbers: layout.lineNumbers,
            keys: layout.keys, litellmProviders: layout.providers, index: layout.index, dateMilliseconds: layout.milliseconds,
            parsed: ParsedModels())
        var issues = reader.issues
        if checkingEveryLine {
            var rowReader = SnapshotReader(bytes: bytes, name: source.name, date: layout.date, dateMilliseconds: layout.milliseconds)
            for position in 0..<snapshot.count {
                let model = rowReader.model(line: layout.lines[position], number: layout.lineNumbers[position])
                snapshot.parsed.models.withLock { $0[position] = .some(model) }
            }
            issues += rowReader.issues
        }
        return (issues.isEmpty ? snapshot : nil, issues)
    }

    /// `litellm@2026-11-20:zai/glm-4.6`: what the ledger stores as the call's `pricing_entry`.
    public static func entryID(date: String, key: String) -> String { "\(entryPrefix)\(date):\(key)" }

    static let mapURL = "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json"
}

/// Reads a snapshot's bytes: the header and key index, and model lines on demand, recording
/// each problem with its line.
private struct SnapshotReader {
    let bytes: [UInt8]
    let name: String
    let date: String
    let dateMilliseconds: Int64
    var issues: [PricingIssue] = []
    var lineNumber = 0

    private static let tab = UInt8(ascii: "\t")
    private static let newline = UInt8(ascii: "\n")

    init(bytes: [UInt8], name: String, date: String, dateMilliseconds: Int64) {
        self.bytes = bytes
        self.name = name
        self.date = date
        self.dateMilliseconds = dateMilliseconds
    }

    mutating func report(_ message: String) {
        issues.append(PricingIssue(SourceLocation(file: name, line: lineNumber), message))
    }

    func text(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    struct Layout {
        var date: String
        var milliseconds: Int64
        var lines: [Range<Int>] = []
        var lineNumbers: [Int] = []
        var keys: [String] = []
        var providers: [String] = []
        var index: [String: Int] = [:]
    }

    /// The header, then each model line's key and provider (the first two columns); `nil`
    /// (reported) without a valid header.
    mutating func index() -> Layout? {
        var layout = Layout(date: "", milliseconds: 0)
        var sawHeader = false
        var position = 0
        while position < bytes.count {
            lineNumber += 1
            let start = position
            var end = start
            while end < bytes.count, bytes[end] != Self.newline { end += 1 }
            position = end + 1
            if end == start || bytes[start] == UInt8(ascii: "#") { continue }
            guard sawHeader else {
                guard let (date, milliseconds) = readHeader(split(start..<end, on: Self.tab)) else { return nil }
                (layout.date, layout.milliseconds, sawHeader) = (date, milliseconds, true)
                continue
            }
            var keyEnd = start
            while keyEnd < end, bytes[keyEnd] != Self.tab { keyEnd += 1 }
            var providerEnd = min(keyEnd + 1, end)
            while providerEnd < end, bytes[providerEnd] != Self.tab { providerEnd += 1 }
            let key = text(start..<keyEnd)
            guard !key.isEmpty, keyEnd < end, providerEnd > keyEnd + 1 else {
                report("expected KEY<TAB>PROVIDER<TAB>INPUT<TAB>OUTPUT..., got \"\(text(start..<end).prefix(80))\"")
                continue
            }
            let normalized = PriceTable.normalize(key)
            if let clash = layout.index[normalized] {
                report("key \(key) is listed twice (first at line \(layout.lineNumbers[clash]))")
                continue
            }
            layout.index[normalized] = layout.keys.count
            layout.keys.append(key)
            layout.providers.append(text(keyEnd + 1..<providerEnd))
            layout.lines.append(start..<end)
            layout.lineNumbers.append(lineNumber)
        }
        guard sawHeader else {
            report("no `\(LiteLLMSnapshot.magic)` header line: not a LiteLLM snapshot")
            return nil
        }
        if layout.keys.isEmpty && issues.isEmpty { report("the snapshot lists no model") }
        return layout
    }

    /// `litellm-snapshot<TAB>1<TAB>2026-11-20`: the date, as text and milliseconds.
    private mutating func readHeader(_ fields: [Range<Int>]) -> (String, Int64)? {
        let magic = LiteLLMSnapshot.magic
        let version = LiteLLMSnapshot.formatVersion
        guard fields.count == 3, text(fields[0]) == magic else {
            report("expected the header `\(magic)<TAB>\(version)<TAB>YYYY-MM-DD` before any model")
            return nil
        }
        guard text(fields[1]) == version else {
            report("snapshot format \(text(fields[1])) is not supported (this llm-cost reads format \(version))")
            return nil
        }
        let date = text(fields[2])
        guard date.utf8.count == 10, let milliseconds = PricingDate.parse(date) else {
            report("the snapshot date must be YYYY-MM-DD, got \"\(date)\"")
            return nil
        }
        return (date, milliseconds)
    }

    /// The model of one line, parsed and compiled; `nil` (reported) when malformed.
    mutating func model(line: Range<Int>, number: Int) -> ModelDefinition? {
        lineNumber = number
        guard let row = readRow(split(line, on: Self.tab)) else { return nil }
        let compiled: CompiledEntry
        do {
            compiled = try CompiledEntry.compile(
                prices: row.prices, contextTiers: row.contextTiers, serviceTiers: row.serviceTiers,
                webSearchPer1k: row.webSearchPer1k, webFetchPer1k: nil, cacheWriteDefaults: .input, until: Int64.max)
        } catch {
            report("\(row.key): \(error.message)")
            return nil
        }
        let location = SourceLocation(file: name, line: number)
        let entry = PriceEntry(
            provider: LiteLLMSnapshot.providerName, model: row.key, effectiveFrom: dateMilliseconds, effectiveUntil: nil,
            source: "LiteLLM map snapshot of \(date) (\(LiteLLMSnapshot.mapURL))", prices: row.prices,
            contextTiers: row.contextTiers, serviceTiers: row.serviceTiers, webSearchPer1k: row.webSearchPer1k, webFetchPer1k: nil,
            location: location, compiled: compiled, id: LiteLLMSnapshot.entryID(date: date, key: row.key))
        return ModelDefinition(
            provider: LiteLLMSnapshot.providerName, id: row.key, aliases: [], contextWindow: nil, maxOutput: nil,
            entries: [entry], location: location, sameAs: nil)
    }

    /// One model line (its fields' byte ranges) as a row; `nil` (reported) when malformed.
    private mutating func readRow(_ fields: [Range<Int>]) -> LiteLLMSnapshot.Row? {
        let key = text(fields[0])
        guard !key.isEmpty else {
            report("a model line needs a key")
            return nil
        }
        guard fields.count >= 4, !fields[1].isEmpty else {
            report("\(key): expected a provider, an input and an output price")
            return nil
        }
        guard fields.count <= 11 else {
            report("\(key): \(fields.count) columns, expected at most 11")
            return nil
        }
        let names = [
            "input", "output", "cache read", "5-minute cache write", "1-hour cache write", "reasoning", "web search per 1k",
        ]
        var prices: [ExactDecimal?] = []
        prices.reserveCapacity(names.count)
        for (position, label) in names.enumerated() {
            let column = position + 2
            guard column < fields.count, !fields[column].isEmpty else {
                prices.append(nil)
                continue
            }
            guard let price = price(fields[column]) else {
                report("\(key): \(label) \"\(text(fields[column]))\" is not a decimal price of at most 1,000,000 with up to 12 places")
                return nil
            }
            prices.append(price)
        }
        guard let input = prices[0], let output = prices[1] else {
            report("\(key): the input and output prices are required")
            return nil
        }
        var row = LiteLLMSnapshot.Row(
            key: key, provider: text(fields[1]),
            prices: TokenPrices(
                input: input, output: output, reasoning: prices[5], cacheRead: prices[2], cacheWrite5m: prices[3],
                cacheWrite1h: prices[4]),
            webSearchPer1k: prices[6])
        if fields.count > 9, !fields[9].isEmpty {
            for item in split(fields[9], on: UInt8(ascii: ",")) {
                let parts = split(item, on: UInt8(ascii: "="))
                guard parts.count == 2, let tier = ServiceTier(rawValue: text(parts[0])), tier != .standard,
                    let multiplier = price(parts[1]), multiplier.significand != 0
                else {
                    let names = ServiceTier.allCases.filter { $0 != .standard }.map(\.rawValue).joined(separator: ", ")
                    report("\(key): service tier \"\(text(item))\" is not NAME=MULTIPLIER (\(names))")
                    return nil
                }
                row.serviceTiers[tier] = multiplier
            }
        }
        if fields.count > 10, !fields[10].isEmpty {
            for item in split(fields[10], on: UInt8(ascii: ";")) {
                guard let tier = contextTier(item) else {
                    report("\(key): long-context tier \"\(text(item))\" is not ABOVE=input/output[/cache read/write 5m/write 1h]")
                    return nil
                }
                if let last = row.contextTiers.last, last.aboveTokens >= tier.aboveTokens {
                    report("\(key): long-context tiers must ascend (\(tier.aboveTokens) after \(last.aboveTokens))")
                    return nil
                }
                row.contextTiers.append(tier)
            }
        }
        return row
    }

    /// `200000=6/22.5/0.6/7.5/12`.
    private func contextTier(_ range: Range<Int>) -> ContextTier? {
        let parts = split(range, on: UInt8(ascii: "="))
        guard parts.count == 2, let above = integer(parts[0]) else { return nil }
        let values = split(parts[1], on: UInt8(ascii: "/"))
        guard (2...5).contains(values.count) else { return nil }
        var prices: [ExactDecimal?] = []
        for value in values {
            if value.isEmpty {
                prices.append(nil)
                continue
            }
            guard let price = price(value) else { return nil }
            prices.append(price)
        }
        while prices.count < 5 { prices.append(nil) }
        guard let input = prices[0], let output = prices[1] else { return nil }
        return ContextTier(
            aboveTokens: above,
            prices: TokenPrices(input: input, output: output, cacheRead: prices[2], cacheWrite5m: prices[3], cacheWrite1h: prices[4]))
    }

    private func split(_ range: Range<Int>, on separator: UInt8) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var start = range.lowerBound
        for offset in range.lowerBound...range.upperBound where offset == range.upperBound || bytes[offset] == separator {
            parts.append(start..<offset)
            start = offset + 1
        }
        return parts
    }

    /// A positive integer of up to 15 digits.
    private func integer(_ range: Range<Int>) -> Int64? {
        guard !range.isEmpty, range.count <= 15 else { return nil }
        var value: Int64 = 0
        for offset in range {
            let byte = bytes[offset]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value > 0 ? value : nil
    }

    /// A plain non-negative decimal (`0.125`; no sign, no exponent: the writer never writes
    /// one) within the table's bounds: at most 12 places, at most 1,000,000.
    private func price(_ range: Range<Int>) -> ExactDecimal? {
        guard range.allSatisfy({ (bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9")) || bytes[$0] == UInt8(ascii: ".") }),
            let value = ExactDecimal(text(range)), value.exactInteger(atScale: CompiledEntry.rateScale) != nil,
            value.rounded(toScale: 0).map({ $0 <= 1_000_000 }) ?? false
        else { return nil }
        return value
    }
}

// MARK: - Writing

extension LiteLLMSnapshot {
    /// The snapshot text for `rows` taken on `date` (`YYYY-MM-DD`), sorted by key so that two
    /// snapshots diff line by line.
    public static func text(rows: [Row], date: String, mapName: String) -> String {
        var lines = [
            "# LiteLLM price map snapshot for llm-cost, generated from \(mapName): do not edit by hand.",
            "# Regenerate with: llm-cost pricing update --litellm MAP.json --date YYYY-MM-DD --output pricing/\(fileName)",
            "# Prices only for models no curated pricing/*.toml entry matches; see pricing/README.md.",
            "# key, LiteLLM provider, then USD per million tokens: input, output, cache read, cache write 5m, cache write 1h,",
            "# reasoning; web search per 1k requests; service tiers; long-context tiers (above=input/output/cache read/write 5m/write 1h).",
            "\(magic)\t\(formatVersion)\t\(date)",
        ]
        for row in rows.sorted(by: { $0.key < $1.key }) { lines.append(line(for: row)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row as its tab-separated line, trailing empty columns left out.
    static func line(for row: Row) -> String {
        func text(_ value: ExactDecimal?) -> String { value.map { "\($0)" } ?? "" }
        let prices = row.prices
        let tiers = ServiceTier.allCases.compactMap { tier in row.serviceTiers[tier].map { "\(tier.rawValue)=\($0)" } }
        let context = row.contextTiers.map { tier in
            var values = [tier.prices.input, tier.prices.output, tier.prices.cacheRead, tier.prices.cacheWrite5m, tier.prices.cacheWrite1h]
                .map(text)
            while values.count > 2, values.last == "" { values.removeLast() }
            return "\(tier.aboveTokens)=" + values.joined(separator: "/")
        }
        var fields = [
            row.key, row.provider, text(prices.input), text(prices.output), text(prices.cacheRead), text(prices.cacheWrite5m),
            text(prices.cacheWrite1h), text(prices.reasoning), text(row.webSearchPer1k), tiers.joined(separator: ","),
            context.joined(separator: ";"),
        ]
        while fields.count > 4, fields.last == "" { fields.removeLast() }
        return fields.joined(separator: "\t")
    }
}
