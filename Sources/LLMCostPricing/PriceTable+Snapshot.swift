import LLMCostCore
import Synchronization

/// A LiteLLM key a call may be priced under, and which of LiteLLM's providers may own it (`nil`:
/// any). Bare keys (`gpt-4o`, `claude-opus-4-5`) belong to many providers in the map, so a bare
/// key tried for a provider must be that provider's own.
struct SnapshotKey: Hashable {
    var key: String
    var owners: Set<String>?
}

/// The snapshot position each `provider` + name resolved to (or none), remembered for the
/// pricing path. Bounded: past `capacity` names (a stream of made-up names), lookups are simply
/// not remembered.
final class SnapshotLookups: Sendable {
    static let capacity = 10_000
    private let positions = Mutex<[String: Int]>([:])

    /// The remembered position for `key`: a model position, `-1` for none, `nil` if not looked up yet.
    func position(for key: String) -> Int? { positions.withLock { $0[key] } }

    func remember(_ position: Int?, for key: String) {
        positions.withLock { if $0.count < Self.capacity { $0[key] = position ?? -1 } }
    }
}

extension PriceTable {
    /// The snapshot model that prices `name` called through `provider`, trying LiteLLM's key
    /// forms for the call in order (see `snapshotKeys`). Without a trace to write (pricing),
    /// the answer for a provider and name is remembered.
    func findInSnapshot(_ snapshot: LiteLLMSnapshot, provider: String?, name: String, trace: inout [String]?) -> ModelDefinition? {
        guard trace == nil else { return searchSnapshot(snapshot, provider: provider, name: name, trace: &trace) }
        let key = (provider ?? "") + "\u{0}" + name
        if let position = snapshotLookups.position(for: key) { return position < 0 ? nil : snapshot.model(at: position) }
        var noTrace: [String]? = nil
        let model = searchSnapshot(snapshot, provider: provider, name: name, trace: &noTrace)
        snapshotLookups.remember(model.flatMap { snapshot.index[PriceTable.normalize($0.id)] }, for: key)
        return model
    }

    private func searchSnapshot(_ snapshot: LiteLLMSnapshot, provider: String?, name: String, trace: inout [String]?) -> ModelDefinition? {
        let candidates = snapshotKeys(provider: provider, name: name)
        for candidate in candidates {
            guard let position = snapshot.index[candidate.key] else { continue }
            if let owners = candidate.owners, !owners.contains(snapshot.litellmProviders[position]) { continue }
            guard let model = snapshot.model(at: position) else {
                trace?.append(
                    "the LiteLLM map snapshot's line for \(snapshot.keys[position]) (\(snapshot.fileName):\(snapshot.lineNumbers[position])) does not parse: see `llm-cost pricing validate`")
                continue
            }
            trace?.append(
                "not in the curated table: priced from the LiteLLM map snapshot of \(snapshot.date), key \(model.id) (\(snapshot.fileName):\(snapshot.lineNumbers[position]))")
            return model
        }
        let tried = candidates.prefix(8).map(\.key).joined(separator: ", ") + (candidates.count > 8 ? ", ..." : "")
        trace?.append("not in the LiteLLM map snapshot of \(snapshot.date) either (keys tried: \(tried))")
        return nil
    }

    /// The LiteLLM keys that may price `name` called through `provider`, normalized, most
    /// specific first; the same forms again for an undated id (`-20251001`, `-2025-08-07`)
    /// after every dated form.
    ///
    /// - Without a provider: the name as a key (`gpt-4o`, `gemini/gemini-3-pro-preview`), then,
    ///   when it starts with `provider/`, as that provider's.
    /// - With one: `<provider>/<model>` as written, then the provider's own key forms in the map
    ///   (bare OpenAI and Anthropic keys, `gemini/`, `xai/`, `dashscope/` for Qwen, ...).
    /// - A vendor-prefixed provider (OpenRouter, `<vendor>/<model>`): `openrouter/<vendor>/<model>`,
    ///   the vendor's own keys, then Vercel AI Gateway's `<vendor>/<model>` (another gateway
    ///   passing list prices through).
    /// - A provider with a `fallback` (Azure): its own keys, then the fallback provider's.
    func snapshotKeys(provider: String?, name: String) -> [SnapshotKey] {
        var keys: [SnapshotKey] = []
        let normalized = Self.normalize(name)
        appendSnapshotKeys(provider: provider, model: normalized, depth: 0, into: &keys)
        if let undated = Self.strippingDateSuffix(normalized) {
            appendSnapshotKeys(provider: provider, model: undated, depth: 0, into: &keys)
        }
        var seen: Set<SnapshotKey> = []
        return keys.filter { seen.insert($0).inserted }
    }

    /// LiteLLM key prefixes of the providers the map prices directly, by the table's provider
    /// name (or OpenRouter's vendor slug), with the map providers a bare key must belong to.
    static let snapshotPrefixes: [String: [(prefix: String, owners: Set<String>?)]] = [
        "openai": [("", ["openai", "text-completion-openai"]), ("openai/", nil)],
        "anthropic": [("", ["anthropic"]), ("anthropic/", nil)],
        "google": [("gemini/", nil)],
        "xai": [("xai/", nil)],
        "mistral": [("mistral/", nil)],
        "deepseek": [("deepseek/", nil)],
        "azure": [("azure/", nil)],
        "openrouter": [("openrouter/", nil)],
        "qwen": [("dashscope/", nil)],
        "moonshotai": [("moonshot/", nil)],
        "z-ai": [("zai/", nil)],
        "together": [("together_ai/", nil)],
        "fireworks": [("fireworks_ai/", nil)],
    ]

    /// OpenRouter vendor slugs that Vercel AI Gateway spells differently.
    static let gatewayVendors: [String: String] = [
        "qwen": "alibaba", "meta-llama": "meta", "mistralai": "mistral", "x-ai": "xai", "z-ai": "zai",
    ]

    private func appendSnapshotKeys(provider: String?, model: String, depth: Int, into keys: inout [SnapshotKey]) {
        guard depth < 4 else { return }
        guard let provider, !provider.isEmpty else {
            keys.append(SnapshotKey(key: model, owners: nil))
            if let slash = model.firstIndex(of: "/") {
                appendSnapshotKeys(
                    provider: String(model[..<slash]), model: String(model[model.index(after: slash)...]), depth: depth + 1,
                    into: &keys)
            }
            return
        }
        let written = Self.normalize(provider)
        let canonical = providerAliases[written] ?? written
        var model = model
        if let prefix = [written, canonical].first(where: { model.hasPrefix($0 + "/") }) {
            model = String(model.dropFirst(prefix.count + 1))
        }
        keys.append(SnapshotKey(key: written + "/" + model, owners: nil))
        for (prefix, owners) in Self.snapshotPrefixes[canonical] ?? [] {
            keys.append(SnapshotKey(key: prefix + model, owners: owners))
        }
        let table = providers[canonical]
        if table?.vendorPrefixed == true, let slash = model.firstIndex(of: "/") {
            let vendor = String(model[..<slash])
            let rest = String(model[model.index(after: slash)...])
            appendSnapshotKeys(provider: vendor, model: rest, depth: depth + 1, into: &keys)
            keys.append(SnapshotKey(key: "vercel_ai_gateway/\(Self.gatewayVendors[vendor] ?? vendor)/\(rest)", owners: nil))
        }
        if let fallback = table?.fallback {
            appendSnapshotKeys(provider: fallback, model: model, depth: depth + 1, into: &keys)
        }
    }
}
