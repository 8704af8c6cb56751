import Foundation
import LLMCostCore

/// What a provider factory gets besides the settings.
public struct ProviderEnvironment: Sendable {
    /// Environment variables (for API keys).
    public var variables: [String: String]
    public var transport: any HTTPTransport
    public var rawLog: RawLogHook?
    /// Where `llm-cost login` keeps credentials; `nil`: API keys only.
    public var credentials: (any CredentialStore)?

    public init(
        variables: [String: String], transport: any HTTPTransport = URLSessionTransport(), rawLog: RawLogHook? = nil,
        credentials: (any CredentialStore)? = nil
    ) {
        self.variables = variables
        self.transport = transport
        self.rawLog = rawLog
        self.credentials = credentials
    }

    /// The API key the settings point at, or `nil`.
    public func apiKey(for settings: ProviderSettings) -> String? {
        let variable = settings.apiKeyEnv ?? ProviderPresets.defaults(forType: settings.type).apiKeyEnv
        return variable.flatMap { variables[$0] }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The credential `llm-cost login` stored for the provider, ready for calls, or `nil` when it
    /// is not signed in. A signed-in provider uses it rather than its key variable: signing in
    /// is the later, deliberate choice, and `llm-cost logout` goes back to the key.
    public func signedIn(_ settings: ProviderSettings) throws(SignInError) -> SignedInCredential? {
        guard let credentials, let stored = try credentials.load(provider: settings.name) else { return nil }
        let endpoint = settings.signIn.map { TokenEndpoint(provider: settings.name, settings: $0, transport: transport) }
        return SignedInCredential(provider: settings.name, credential: stored, store: credentials, endpoint: endpoint)
    }
}

/// Builds a provider of one type from its settings.
public typealias ProviderFactory = @Sendable (ProviderSettings, ProviderEnvironment) throws -> any LLMProvider

/// Providers by name: the environment presets, the config file's `[providers.NAME]` tables, and
/// factories for each `type`, built-in or registered by library users (`register(type:)`).
public struct ProviderRegistry: Sendable {
    private var factories: [String: ProviderFactory] = BuiltInProviders.factories
    private var configured: [String: ProviderSettings] = [:]
    public var environment: ProviderEnvironment

    /// A registry with the environment presets (see `ProviderPresets`).
    public init(environment: ProviderEnvironment) {
        self.environment = environment
        for settings in ProviderPresets.settings(environment: environment.variables) { configured[settings.name] = settings }
    }

    /// A registry from the process environment.
    public static func fromProcessEnvironment(rawLog: RawLogHook? = nil) -> ProviderRegistry {
        let variables = ProcessInfo.processInfo.environment
        return ProviderRegistry(environment: ProviderEnvironment(
            variables: variables, rawLog: rawLog, credentials: CredentialStores.preferred(environment: variables)))
    }

    /// Adds a custom provider type: `type = "NAME"` in a config table then builds with `factory`.
    public mutating func register(type: String, factory: @escaping ProviderFactory) {
        factories[type] = factory
    }

    /// Adds or replaces one provider.
    public mutating func add(_ settings: ProviderSettings) throws(ProviderSettingsError) {
        guard factories[settings.type] != nil || settings.type == ProviderSettings.routerType else {
            throw .unknownType("providers.\(settings.name).type", type: settings.type, known: types)
        }
        configured[settings.name] = settings
    }

    /// The entry point for the config file: every `[providers.NAME]` table, by NAME. A table
    /// with the name of a preset replaces the preset.
    public mutating func configure(tables: [String: [String: ConfigValue]]) throws(ProviderSettingsError) {
        for (name, table) in tables.sorted(by: { $0.key < $1.key }) {
            try add(ProviderSettings(name: name, table: table, environment: environment.variables))
        }
    }

    /// Known provider types.
    public var types: [String] { (Array(factories.keys) + [ProviderSettings.routerType]).sorted() }

    /// Every configured provider's settings, by name.
    public var allSettings: [ProviderSettings] { configured.values.sorted { $0.name < $1.name } }

    /// Each configured provider whose calls are priced as another provider, by name
    /// (`work` → `openai`; see `ProviderSettings.pricedAs`): what `ConfiguredPricing` takes.
    public var pricingProviders: [String: String] {
        var map: [String: String] = [:]
        for settings in configured.values {
            if let pricedAs = settings.pricedAs, pricedAs != settings.name { map[settings.name] = pricedAs }
        }
        return map
    }

    public func settings(named name: String) throws(ProviderSettingsError) -> ProviderSettings {
        guard let settings = configured[name] else { throw .unknownProvider(name, known: configured.keys.sorted()) }
        return settings
    }

    /// Builds the provider called `name`. Throws `ProviderSettingsError` for an unknown name
    /// and `ProviderError` (`.configuration`) when, say, its API key is not set.
    /// `maxRetries` overrides the configured retries (a health check wants the first answer).
    public func provider(named name: String, maxRetries: Int? = nil) throws -> any LLMProvider {
        var settings = try settings(named: name)
        if settings.type == ProviderSettings.routerType { return try router(named: name, maxRetries: maxRetries) }
        if let maxRetries { settings.maxRetries = maxRetries }
        guard let factory = factories[settings.type] else {
            throw ProviderSettingsError.unknownType("providers.\(name).type", type: settings.type, known: types)
        }
        return try factory(settings, environment)
    }

    /// Builds the router called `name` over its configured candidates, each made by
    /// `provider(named:)` and passed through `wrap` (the metering layer wraps each in its meter).
    /// A candidate that cannot be built (its key is not set) is kept as unavailable: the router
    /// passes it over and `providers check` says why. Throws for a candidate that is not
    /// configured or is itself a router.
    public func router(
        named name: String, maxRetries: Int? = nil, estimator: (any CandidateEstimator)? = nil,
        wrap: (any LLMProvider) -> any LLMProvider = { $0 }
    ) throws -> LLMRouter {
        let settings = try settings(named: name)
        guard let routing = settings.router else {
            throw ProviderSettingsError.invalidValue("providers.\(name).type", "`\(name)` is not a router")
        }
        var candidates: [LLMRouter.Candidate] = []
        for spec in routing.candidates {
            guard let candidateSettings = configured[spec.provider] else {
                throw ProviderSettingsError.invalidValue(
                    "providers.\(name).candidates", "no provider named `\(spec.provider)` (configured: \(configured.keys.sorted().joined(separator: ", ")))")
            }
            guard candidateSettings.type != ProviderSettings.routerType else {
                throw ProviderSettingsError.invalidValue("providers.\(name).candidates", "`\(spec.provider)` is a router; a candidate must be a provider")
            }
            do {
                let provider = try self.provider(named: spec.provider, maxRetries: maxRetries)
                candidates.append(LLMRouter.Candidate(provider: wrap(provider), model: spec.model))
            } catch {
                let model = spec.model ?? candidateSettings.model ?? "?"
                candidates.append(LLMRouter.Candidate(unavailable: spec.provider, model: model, reason: "unavailable: \(error)"))
            }
        }
        return LLMRouter(
            name: name, candidates: candidates, strategy: routing.strategy, requirements: routing.requirements, estimator: estimator,
            failureThreshold: routing.failureThreshold, coolDown: routing.coolDown)
    }
}
