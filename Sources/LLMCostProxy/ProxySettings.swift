import Foundation
import LLMCost

extension MeteringProxy.Settings {
    /// `[proxy]` settings, and the upstreams of `[providers.NAME]` tables: their `base_url`, else
    /// their type's official or local default, never the `*_BASE_URL` environment variables
    /// (which clients point at the proxy).
    public init(configuration: Configuration) throws {
        let port = configuration.integer("proxy.port") ?? 8787
        guard (0...65_535).contains(port) else { throw configuration.invalid("proxy.port", "expected 0 to 65535, got \(port)") }
        var upstreams: [String: String] = [:]
        var types: [String: String] = ["anthropic": "anthropic", "openai": "openai"]
        for table in configuration.providers {
            let type: String
            if case .string(let written)? = table.values["type"] { type = written } else { type = types[table.name] ?? table.name }
            types[table.name] = type
            if case .string(let base)? = table.values["base_url"], !base.isEmpty {
                guard let url = URL(string: base), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                    throw configuration.invalid("providers.\(table.name).base_url", "expected an http(s) URL, got \(base)")
                }
                upstreams[table.name] = base
            } else if let base = ProviderPresets.defaultBaseURL(forType: type) {
                upstreams[table.name] = base.absoluteString
            }
        }
        let grace = configuration.integer("proxy.shutdown_grace_ms") ?? 10_000
        guard (0...3_600_000).contains(grace) else {
            throw configuration.invalid("proxy.shutdown_grace_ms", "expected 0 to 3600000 milliseconds, got \(grace)")
        }
        let policy = configuration.string("proxy.unmetered") ?? UnmeteredPolicy.refuseUnderBlock.rawValue
        guard let unmetered = UnmeteredPolicy(rawValue: policy) else {
            let choices = UnmeteredPolicy.allCases.map(\.rawValue).joined(separator: ", ")
            throw configuration.invalid("proxy.unmetered", "expected one of \(choices), got \(policy)")
        }
        var access = ProxyAccess()
        do {
            if let file = configuration.path("proxy.access_tokens_file") { try access.addTokens(file: file) }
            try access.addKeyAgents(configuration.strings("proxy.key_agents") ?? [], setting: "proxy.key_agents")
        } catch let error as ProxyAccess.SettingsError {
            throw configuration.invalid(error.description.hasPrefix("proxy.key_agents") ? "proxy.key_agents" : "proxy.access_tokens_file", error.description)
        }
        let environment = ProcessInfo.processInfo.environment
        for name in configuration.strings("proxy.hold_keys") ?? [] {
            guard let type = types[name] else {
                throw configuration.invalid("proxy.hold_keys", "no provider named \(name) (configured: \(types.keys.sorted().joined(separator: ", ")))")
            }
            var provider = ProviderSettings(name: name, type: type)
            if let table = configuration.providers.first(where: { $0.name == name }) {
                do {
                    provider = try ProviderSettings(name: name, table: table.values, environment: environment)
                } catch {
                    throw ConfigError.invalidValue(file: table.file, line: table.line, key: "providers.\(name)", reason: "\(error)")
                }
            }
            let defaults = ProviderPresets.defaults(forType: type)
            let variable = provider.apiKeyEnv ?? defaults.apiKeyEnv ?? "the variable api_key_env names"
            guard let key = ProviderEnvironment(variables: environment).apiKey(for: provider),
                let header = (provider.auth ?? defaults.auth).header(for: key)
            else {
                throw configuration.invalid("proxy.hold_keys", "\(name)'s key is not set: set \(variable) (or api_key_env in [providers.\(name)])")
            }
            access.heldKeys[name] = ProxyAccess.HeldKey(headerName: header.name, headerValue: header.value)
        }
        self.init(
            host: configuration.string("proxy.host") ?? "127.0.0.1", port: Int(port), upstreams: upstreams, providerTypes: types,
            shutdownGrace: .milliseconds(grace), unmetered: unmetered, access: access)
    }
}

/// What the proxy does with a call it relays but cannot meter (an image, a batch, speech):
/// billed, yet invisible to the budgets. `[proxy] unmetered`.
public enum UnmeteredPolicy: String, Sendable, CaseIterable {
    /// Refused (HTTP 403) while a `block` budget covers the route; relayed otherwise. The default:
    /// a hard budget cannot be bypassed by calling another endpoint.
    case refuseUnderBlock = "refuse-under-block"
    /// Always refused.
    case refuse
    /// Always relayed (never counted).
    case allow
}

extension UnmeteredPolicy {
    /// Why a billed call the proxy cannot meter is refused (the end of the refusal's message);
    /// `nil`: it is relayed. `model`: the one the body names, if any (a budget scoped to a
    /// model then covers the call only if it is that model; without one, it may).
    public func refusal(
        provider: String, model: String?, attribution: MeteringContext, budgets: [BudgetDefinition]
    ) -> String? {
        switch self {
        case .allow:
            return nil
        case .refuse:
            return "[proxy] unmetered = \"refuse\" refuses such calls"
        case .refuseUnderBlock:
            let covering = budgets.first { budget in
                guard budget.action == .block else { return false }
                if case .model(let name) = budget.scope { return model == nil || model == name }
                return budget.scope.matches(provider: provider, model: model ?? "", agent: attribution.agent, tags: attribution.tags)
            }
            guard let covering else { return nil }
            return "the block budget \"\(covering.name)\" (\(covering.scope)) covers it; "
                + "set [proxy] unmetered = \"allow\" to relay such calls uncounted"
        }
    }
}
