import Foundation
import LLMCostCore

/// The loaded pricing table: every provider's models with their dated entries, indexed so that
/// resolving a model name is a few dictionary lookups, never a scan.
///
/// Build one with `PriceTableLoader`. It is an immutable value, safe to share across tasks.
public struct PriceTable: Sendable {
    /// Providers by normalized name.
    public let providers: [String: ProviderTable]
    /// Every model, in file order (providers sorted by name).
    public let models: [ModelDefinition]

    /// A name a model answers to, and how it was written.
    struct IndexHit: Sendable {
        var model: Int
        var isAlias: Bool
    }

    /// provider → name (both normalized) → model. Two lookups, so no key is ever concatenated
    /// (and allocated) on the pricing path.
    let scoped: [String: [String: IndexHit]]
    /// `name` (normalized) → model, for providers whose names are used bare.
    let bare: [String: IndexHit]
    /// Other provider names (normalized) → the provider's key (`gemini` → `google`).
    let providerAliases: [String: String]
    /// The LiteLLM map snapshot that prices models no curated rule matches (`nil`: none).
    public internal(set) var snapshot: LiteLLMSnapshot? = nil
    /// Which snapshot model each provider and name priced as, so a stream of calls to one model
    /// tries its key forms once (shared by copies of the table).
    let snapshotLookups: SnapshotLookups

    /// Builds the table from parsed files, the user's after the defaults: a user model replaces
    /// the default model of the same provider and id (its whole price history; aliases are
    /// kept and added to), new models and providers are added. Returns the problems found
    /// across files (unknown fallback providers, bare names claimed twice).
    static func build(defaults: [ParsedPricingFile], user: [ParsedPricingFile]) -> (PriceTable, [PricingIssue]) {
        var issues: [PricingIssue] = []
        var tables: [String: ProviderTable] = [:]
        var providerAliases: [String: String] = [:]
        // Where each provider's fallback and each alias was last written, for the problems below.
        var fallbackLocations: [String: SourceLocation] = [:]
        var aliasLocations: [String: SourceLocation] = [:]
        for file in defaults + user {
            let key = normalize(file.provider)
            for alias in file.providerAliases {
                providerAliases[normalize(alias)] = key
                aliasLocations[normalize(alias)] = file.aliasesLocation
            }
            if let location = file.fallbackLocation { fallbackLocations[key] = location }
            var table =
                tables[key]
                ?? ProviderTable(name: file.provider, bareNames: true, fallback: nil, vendorPrefixed: false, models: [], files: [])
            if let bareNames = file.bareNames { table.bareNames = bareNames }
            if let fallback = file.fallback { table.fallback = fallback }
            if let vendorPrefixed = file.vendorPrefixed { table.vendorPrefixed = vendorPrefixed }
            table.files.append(file.name)
            for model in file.models {
                if let existing = table.models.firstIndex(where: { normalize($0.id) == normalize(model.id) }) {
                    var replacement = model
                    let written = Set((model.aliases + [model.id]).map(normalize))
                    replacement.aliases += table.models[existing].aliases.filter { !written.contains(normalize($0)) }
                    table.models[existing] = replacement
                } else {
                    table.models.append(model)
                }
            }
            tables[key] = table
        }

        var models: [ModelDefinition] = []
        var scoped: [String: [String: IndexHit]] = [:]
        var bare: [String: IndexHit] = [:]
        for key in tables.keys.sorted() {
            guard let table = tables[key] else { continue }
            if let fallback = table.fallback, tables[normalize(fallback)] == nil {
                issues.append(
                    PricingIssue(
                        fallbackLocations[key] ?? SourceLocation(file: table.files.last ?? key, line: 0),
                        "fallback provider \(fallback) has no pricing file"))
            }
            for model in table.models {
                let index = models.count
                models.append(model)
                for (name, isAlias) in [(model.id, false)] + model.aliases.map({ ($0, true) }) {
                    let name = normalize(name)
                    if let clash = scoped[key]?[name], models[clash.model].id != model.id {
                        issues.append(
                            PricingIssue(model.location, "\(table.name)/\(name) names both \(models[clash.model].id) and \(model.id)"))
                        continue
                    }
                    scoped[key, default: [:]][name] = IndexHit(model: index, isAlias: isAlias)
                    guard table.bareNames, model.id != "*" else { continue }
                    if let clash = bare[name] {
                        let other = models[clash.model]
                        issues.append(
                            PricingIssue(
                                model.location,
                                "bare name \(name) is claimed by \(other.provider)/\(other.id) (\(other.location)) and \(model.provider)/\(model.id); set bare_names = false in one file"))
                        continue
                    }
                    bare[name] = IndexHit(model: index, isAlias: isAlias)
                }
            }
        }
        for (alias, key) in providerAliases.sorted(by: { $0.key < $1.key }) where tables[alias] != nil {
            issues.append(
                PricingIssue(
                    aliasLocations[alias] ?? SourceLocation(file: tables[key]?.files.last ?? key, line: 0),
                    "provider alias \(alias) is also a provider with its own file"))
        }
        let table = PriceTable(
            providers: tables, models: models, scoped: scoped, bare: bare, providerAliases: providerAliases,
            snapshotLookups: SnapshotLookups())
        for model in models where model.sameAs != nil && table.model(provider: model.provider, model: model.id) == nil {
            issues.append(PricingIssue(model.location, "same_as = \"\(model.sameAs ?? "")\" of \(model.id) does not resolve to a priced model"))
        }
        return (table, issues)
    }

    /// The form names are compared in: lowercase, with `.` as `-` (so OpenRouter's
    /// `claude-sonnet-4.5` is Anthropic's `claude-sonnet-4-5`). Returns the input itself, without
    /// allocating, when it is already normal.
    static func normalize(_ name: String) -> String {
        var needsWork = false
        for byte in name.utf8 where byte == UInt8(ascii: ".") || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) {
            needsWork = true
            break
        }
        guard needsWork else { return name }
        return String(decoding: name.utf8.map { byte -> UInt8 in
            if byte == UInt8(ascii: ".") { return UInt8(ascii: "-") }
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { return byte + 32 }
            return byte
        }, as: UTF8.self)
    }
}

// MARK: - Resolving model names

/// How a model name was resolved to a table model, step by step, for `pricing resolve`.
public struct Resolution: Sendable {
    public var model: ModelDefinition
    /// Each rule applied, in order, ending with the match.
    public var steps: [String]
    /// The date of the LiteLLM map snapshot that priced the name, when no curated entry
    /// matched; `nil` for a curated model.
    public var snapshotDate: String? = nil

    /// Whether the name is priced from the LiteLLM map snapshot rather than the curated table.
    public var isFromSnapshot: Bool { snapshotDate != nil }

    /// The entry that prices a call at `time` (milliseconds since 1970 UTC): the curated entry
    /// in force then, or the snapshot model's one entry, which prices every date.
    public func entry(atMilliseconds time: Int64) -> PriceEntry? {
        isFromSnapshot ? model.entries.first : model.entry(atMilliseconds: time)
    }
}

extension PriceTable {
    /// The table's name for a provider as callers write it (`Gemini` → `google`), if it has a file.
    public func providerName(_ written: String) -> String? {
        let key = Self.normalize(written)
        return providers[providerAliases[key] ?? key]?.name
    }

    /// The curated model that `model` (called through `provider`, if known) is priced as, or
    /// `nil` when the curated table does not know it (the LiteLLM snapshot is not consulted:
    /// see `resolve`). A handful of dictionary lookups.
    public func model(provider: String?, model name: String) -> ModelDefinition? {
        var trace: [String]? = nil
        return find(provider: provider, name: name, depth: 0, trace: &trace).map { models[$0] }
    }

    /// The model a call to `model` (through `provider`, if known) is priced by, and which rules
    /// led there: the curated table's, else the LiteLLM map snapshot's.
    public func resolve(provider: String?, model name: String) -> Resolution? {
        var trace: [String]? = []
        switch match(provider: provider, name: name, trace: &trace) {
        case .curated(let index):
            return Resolution(model: models[index], steps: trace ?? [])
        case .snapshot(let model, let date):
            return Resolution(model: model, steps: trace ?? [], snapshotDate: date)
        case nil:
            return nil
        }
    }

    /// The steps tried for a name that did not resolve, for error messages.
    public func explainMiss(provider: String?, model name: String) -> [String] {
        var trace: [String]? = []
        _ = match(provider: provider, name: name, trace: &trace)
        return trace ?? []
    }

    /// What prices a name: a curated model (whether or not it has an entry at a given time),
    /// else a snapshot model.
    enum Match {
        case curated(Int)
        /// The snapshot's model, and the snapshot's date.
        case snapshot(ModelDefinition, String)
    }

    func match(provider: String?, name: String, trace: inout [String]?) -> Match? {
        if let index = find(provider: provider, name: name, depth: 0, trace: &trace) { return .curated(index) }
        guard let snapshot, let model = findInSnapshot(snapshot, provider: provider, name: name, trace: &trace) else {
            return nil
        }
        return .snapshot(model, snapshot.date)
    }

    func find(provider: String?, name: String, depth: Int, trace: inout [String]?) -> Int? {
        // Fallbacks and vendor prefixes recurse; a cycle in user files must not loop for ever.
        guard depth < 4 else {
            trace?.append("stopped: more than 4 redirections (a fallback cycle?)")
            return nil
        }
        let normalized = Self.normalize(name)
        guard let provider, !provider.isEmpty else { return findBare(normalized, original: name, depth: depth, trace: &trace) }
        let writtenKey = Self.normalize(provider)
        let providerKey = providerAliases[writtenKey] ?? writtenKey
        if let hit = scoped[providerKey]?[normalized] {
            trace?.append(describe(hit, as: name, in: providerKey))
            return settle(hit, depth: depth, trace: &trace)
        }
        guard let table = providers[providerKey] else {
            trace?.append("no pricing file for provider \(provider)")
            return nil
        }
        if let prefix = [writtenKey, providerKey].first(where: { normalized.hasPrefix($0 + "/") }) {
            let rest = String(name.dropFirst(prefix.count + 1))
            trace?.append("\(name) carries its provider prefix: looking up \(rest)")
            return find(provider: provider, name: rest, depth: depth + 1, trace: &trace)
        }
        if table.vendorPrefixed, let slash = name.firstIndex(of: "/") {
            let vendor = String(name[..<slash])
            let rest = String(name[name.index(after: slash)...])
            trace?.append("\(table.name) names models <vendor>/<model> and bills the vendor's price: looking up \(rest) at \(vendor)")
            return find(provider: vendor, name: rest, depth: depth + 1, trace: &trace)
        }
        if let undated = Self.strippingDateSuffix(normalized), let hit = scoped[providerKey]?[undated] {
            trace?.append("\(name) is a dated id not listed itself: the undated \(undated) prices it")
            trace?.append(describe(hit, as: undated, in: providerKey))
            return settle(hit, depth: depth, trace: &trace)
        }
        if let fallback = table.fallback {
            trace?.append("\(table.name) does not list \(name): using \(fallback) prices (fallback = \"\(fallback)\")")
            return find(provider: fallback, name: name, depth: depth + 1, trace: &trace)
        }
        if let hit = scoped[providerKey]?["*"] {
            trace?.append("every \(table.name) model is priced by its `*` entry (\(models[hit.model].location))")
            return settle(hit, depth: depth, trace: &trace)
        }
        trace?.append("\(table.name) has no model \(name)")
        return nil
    }

    private func findBare(_ normalized: String, original: String, depth: Int, trace: inout [String]?) -> Int? {
        if let hit = bare[normalized] {
            trace?.append(describe(hit, as: original, in: nil))
            return settle(hit, depth: depth, trace: &trace)
        }
        if let slash = normalized.firstIndex(of: "/") {
            let prefix = String(normalized[..<slash])
            if providers[prefix] != nil || providerAliases[prefix] != nil {
                let rest = String(original[original.index(after: slash)...])
                trace?.append("\(original) starts with provider \(prefix)/: looking up \(rest) at \(prefix)")
                return find(provider: prefix, name: rest, depth: depth + 1, trace: &trace)
            }
        }
        if let undated = Self.strippingDateSuffix(normalized), let hit = bare[undated] {
            trace?.append("\(original) is a dated id not listed itself: the undated \(undated) prices it")
            trace?.append(describe(hit, as: undated, in: nil))
            return settle(hit, depth: depth, trace: &trace)
        }
        trace?.append("no provider given and no provider's bare names include \(original)")
        return nil
    }

    private func describe(_ hit: IndexHit, as name: String, in provider: String?) -> String {
        let model = models[hit.model]
        let target = "\(model.provider)/\(model.id) (\(model.location))"
        return hit.isAlias ? "\(name) is an alias of \(target)" : "\(name) is the id of \(target)"
    }

    /// The model a hit prices as: itself, or where its `same_as` points (a deployment name
    /// priced as a catalogue model), `provider/model` or a model of the same provider.
    private func settle(_ hit: IndexHit, depth: Int, trace: inout [String]?) -> Int? {
        let model = models[hit.model]
        guard let target = model.sameAs else { return hit.model }
        var provider = model.provider
        var name = target
        if let slash = target.firstIndex(of: "/") {
            let prefix = Self.normalize(String(target[..<slash]))
            if providers[prefix] != nil || providerAliases[prefix] != nil {
                provider = prefix
                name = String(target[target.index(after: slash)...])
            }
        }
        trace?.append("\(model.provider)/\(model.id) is priced as \(provider)/\(name) (same_as)")
        return find(provider: provider, name: name, depth: depth + 1, trace: &trace)
    }

    /// `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`; `gpt-4o-2024-08-06` → `gpt-4o`.
    /// Only 8-digit and `YYYY-MM-DD` suffixes: shorter ones (`-0613`) are too often a
    /// different price to guess.
    static func strippingDateSuffix(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        func digits(_ range: Range<Int>) -> Bool {
            range.allSatisfy { bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9") }
        }
        let dash = UInt8(ascii: "-")
        let count = bytes.count
        if count > 9, bytes[count - 9] == dash, digits(count - 8..<count), bytes[count - 8] == UInt8(ascii: "2") {
            return String(decoding: bytes[..<(count - 9)], as: UTF8.self)
        }
        if count > 11, bytes[count - 11] == dash, digits(count - 10..<count - 6), bytes[count - 6] == dash,
            digits(count - 5..<count - 3), bytes[count - 3] == dash, digits(count - 2..<count)
        {
            return String(decoding: bytes[..<(count - 11)], as: UTF8.self)
        }
        return nil
    }
}

// MARK: - Pricing calls

extension PriceTable: CallPricing {
    /// Prices a call by the entry in force at `time`: resolve, pick the entry, compute exactly.
    /// A name no curated rule matches is priced by the LiteLLM map snapshot, if it has it.
    /// Throws for an unknown model (unpriced, never $0), a time before the model's first entry,
    /// a service tier the entry lacks, or inconsistent usage.
    public func cost(
        provider: String?, model name: String, usage: Usage, at time: Date, serviceTier: ServiceTier = .standard
    ) throws(PricingError) -> CostComputation {
        var trace: [String]? = nil
        let model: ModelDefinition
        switch match(provider: provider, name: name, trace: &trace) {
        case .curated(let index):
            model = models[index]
        case .snapshot(let snapshotModel, _):
            guard let entry = snapshotModel.entries.first else { throw .unknownModel(provider: provider, model: name) }
            return try entry.cost(of: usage, serviceTier: serviceTier)
        case nil:
            throw .unknownModel(provider: provider, model: name)
        }
        let milliseconds = PricingDate.milliseconds(time)
        guard let entry = model.entry(atMilliseconds: milliseconds) else {
            throw .noEntryInForce(
                model: "\(model.provider)/\(model.id)", at: PricingDate.format(milliseconds),
                firstFrom: model.entries.first.map { PricingDate.format($0.effectiveFrom) })
        }
        return try entry.cost(of: usage, serviceTier: serviceTier)
    }

    /// The model's `max_output`, where the table knows the model and writes it.
    public func maxOutputTokens(for record: CallRecord) -> Int64? {
        model(provider: record.pricedProvider, model: record.model)?.maxOutput
    }

    public func contextWindow(for record: CallRecord) -> Int64? {
        model(provider: record.pricedProvider, model: record.model)?.contextWindow
    }

    /// The ledger's hook: the record's cost by the entry in force at its timestamp, or `nil`
    /// when the table cannot price it (unknown model, no entry then, bad counts). A record
    /// tagged `service_tier=batch|flex|priority|fast` is priced at that tier. A model no
    /// curated rule matches is priced by the LiteLLM map snapshot, and its entry id says so
    /// (`litellm@2026-11-20:zai/glm-4.6`).
    public func quote(for record: CallRecord) -> PriceQuote? {
        var trace: [String]? = nil
        let tier = record.tags.isEmpty ? .standard : record.tags["service_tier"].flatMap(ServiceTier.init(rawValue:)) ?? .standard
        let provider = record.pricedProvider
        guard let modelIndex = find(provider: provider, name: record.model, depth: 0, trace: &trace) else {
            // Only names the curated table does not know at all reach the snapshot: a curated
            // model with no entry at the call's time stays unpriced.
            guard let snapshot, let model = findInSnapshot(snapshot, provider: provider, name: record.model, trace: &trace),
                let entry = model.entries.first,
                let (parts, _) = try? entry.parts(of: record.usage, serviceTier: tier), let cost = parts.total.money
            else { return nil }
            return PriceQuote(cost: cost, entryID: entry.id)
        }
        guard let entryIndex = models[modelIndex].entryIndex(atMilliseconds: record.epochMilliseconds) else { return nil }
        // Priced in place: copying the entry out of the table would cost more than the arithmetic.
        guard let (parts, _) = try? models[modelIndex].entries[entryIndex].parts(of: record.usage, serviceTier: tier),
            let cost = parts.total.money
        else { return nil }
        return PriceQuote(cost: cost, entryID: models[modelIndex].entries[entryIndex].id)
    }
}
