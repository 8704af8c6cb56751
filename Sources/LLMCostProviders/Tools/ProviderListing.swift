import Foundation
import LLMCostCore

/// What `llm-cost providers list` shows (its table is in the presentation module). Shows whether each key is set, never its value,
/// and, given a pricing, which entry prices each provider's default model (or that it is
/// unpriced, and how to fix that).
public struct ProviderListing: Sendable {
    public var registry: ProviderRegistry
    public var pricing: (any CallPricing)?

    public init(registry: ProviderRegistry, pricing: (any CallPricing)? = nil) {
        self.registry = registry
        self.pricing = pricing
    }

    /// How one provider's default model is priced now.
    public enum PricingStatus: Sendable, Hashable {
        /// The entry that prices it, and whether it is explicitly free ($0).
        case priced(entry: String, free: Bool)
        case unpriced
        /// No default model to look up.
        case noModel
    }

    /// How `settings`' default model is priced at `now` (by its `pricedAs` provider, else its name).
    public func pricingStatus(_ settings: ProviderSettings, now: Date = Date()) -> PricingStatus? {
        guard let pricing else { return nil }
        guard let model = settings.model ?? settings.deployment else { return .noModel }
        var probe = CallRecord(timestamp: now, provider: settings.name, model: model, usage: Usage(inputTokens: 1_000_000))
        probe.pricingProvider = settings.pricedAs
        guard let quote = pricing.quote(for: probe) else { return .unpriced }
        return .priced(entry: quote.entryID, free: quote.cost == .zero)
    }

    /// What to do about an unpriced provider, for people.
    public func unpricedAdvice(_ settings: ProviderSettings) -> String {
        let model = settings.model ?? settings.deployment ?? "?"
        if let pricedAs = settings.pricedAs {
            return "\(settings.name): \(model) is not in \(pricedAs)'s pricing: add it to a pricing file with provider = \"\(pricedAs)\" (llm-cost pricing resolve \(model) --provider \(pricedAs) shows what was tried)"
        }
        return "\(settings.name): unpriced (type \(settings.type)): set pricing_provider = \"PROVIDER\" in [providers.\(settings.name)] "
            + "(a pricing-table provider, e.g. deepseek, or ollama for free), or price it in a pricing file with provider = \"\(settings.name)\""
    }

    /// The key status of one provider: `set (VAR)`, `missing (set VAR)`, or `not needed`.
    public func keyStatus(_ settings: ProviderSettings) -> String {
        let defaults = ProviderPresets.defaults(forType: settings.type)
        let auth = settings.auth ?? defaults.auth
        let variable = settings.apiKeyEnv ?? defaults.apiKeyEnv
        if registry.environment.apiKey(for: settings) != nil { return "set (\(variable ?? "?"))" }
        if auth == .none || variable == nil { return "not needed" }
        return "missing (set \(variable ?? "its key variable"))"
    }

    /// How calls of one provider authenticate: `signed in until 2026-12-06 18:00Z` (a token,
    /// refreshed after that), `signed in (API key)`, `sign-in unreadable: ...`, else `keyStatus`.
    public func authStatus(_ settings: ProviderSettings, now: Date = Date()) -> String {
        let stored: StoredCredential?
        do {
            stored = try registry.environment.credentials?.load(provider: settings.name)
        } catch {
            return "sign-in unreadable: \(error.message)"
        }
        guard let stored else { return keyStatus(settings) }
        switch stored.kind {
        case .apiKey: return "signed in (API key)"
        case .oauth:
            guard let expiry = stored.expiresAt else { return "signed in" }
            let until = Self.minuteFormat().string(from: expiry)
            if expiry > now { return "signed in until \(until)" }
            return stored.refreshToken == nil ? "sign-in expired \(until): llm-cost login \(settings.name)" : "signed in (token refreshed on next call)"
        }
    }

    private static func minuteFormat() -> DateFormatter {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyy-MM-dd HH:mm'Z'"
        return format
    }

    /// Providers that can be called: signed in, or with their API key set: the ones `providers check` tries by default (local
    /// servers that need no key are only checked by name, since most machines run none).
    public var namesWithKeys: [String] {
        registry.allSettings.filter { settings in
            registry.environment.apiKey(for: settings) != nil || (try? registry.environment.credentials?.load(provider: settings.name)) != nil
        }.map(\.name)
    }

    /// The base URL calls go to: the configured one, else the type's default.
    public func baseURL(_ settings: ProviderSettings) -> String {
        (settings.baseURL ?? ProviderPresets.defaultBaseURL(forType: settings.type))?.absoluteString ?? "-"
    }
}

extension ProviderCheck.Result {
    /// `NAME  ok  model  123 ms` or `NAME  FAILED  diagnosis`.
    public var line: String {
        let time = latency.map { " \($0.milliseconds) ms" } ?? ""
        return ok ? "\(name): ok (\(model ?? "?"),\(time))" : "\(name): FAILED: \(diagnosis)"
    }
}
