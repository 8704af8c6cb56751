import Foundation
import LLMCostCore

/// One configured provider: a `[providers.NAME]` table, validated.
///
/// ```toml
/// [providers.my-vllm]
/// type = "openai-compatible"          # anthropic, openai, openai-responses, openrouter, azure, ollama, vllm, or a registered custom type
/// model = "meta-llama/Llama-3.1-8B"
/// base_url = "http://${VLLM_HOST}/v1"  # ${VAR} comes from the environment
/// api_key_env = "VLLM_API_KEY"        # the variable holding the key; keys never live in the file
/// auth = "bearer"                     # bearer, api-key, x-api-key, none
/// extra_headers = { "X-Team" = "search" }  # OpenRouter: { "HTTP-Referer" = "https://my.app", "X-Title" = "My App" }
/// timeout = 60                        # seconds
/// max_retries = 2
/// pricing_provider = "deepseek"       # whose prices apply (see `pricedAs`)
/// [providers.my-vllm.oauth]           # sign in with `llm-cost login my-vllm` instead (see `OAuthSettings`)
/// ```
public struct ProviderSettings: Sendable, Hashable {
    public var name: String
    public var type: String
    public var model: String?
    public var baseURL: URL?
    /// The environment variable that holds the API key.
    public var apiKeyEnv: String?
    public var auth: AuthMethod?
    public var extraHeaders: [String: String]
    /// Azure OpenAI deployment name.
    public var deployment: String?
    /// Azure OpenAI `api-version`.
    public var apiVersion: String?
    public var timeout: Duration?
    public var maxRetries: Int?
    /// `pricing_provider`: the pricing table's provider whose prices apply to this provider's
    /// calls (an `openai-compatible` server hosting DeepSeek: `deepseek`; Ollama: `ollama`).
    public var pricingProviderKey: String?
    /// `[providers.NAME.oauth]`: how `llm-cost login` signs in, when not the type's built-in way.
    public var oauth: OAuthSettings?
    /// The candidates and strategy of a provider of type `router`.
    public var router: RouterSettings?

    /// The type of a provider that passes calls to its candidates (`LLMRouter`).
    public static let routerType = "router"

    public init(
        name: String, type: String, model: String? = nil, baseURL: URL? = nil, apiKeyEnv: String? = nil,
        auth: AuthMethod? = nil, extraHeaders: [String: String] = [:], deployment: String? = nil,
        apiVersion: String? = nil, timeout: Duration? = nil, maxRetries: Int? = nil
    ) {
        self.name = name
        self.type = type
        self.model = model
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.auth = auth
        self.extraHeaders = extraHeaders
        self.deployment = deployment
        self.apiVersion = apiVersion
        self.timeout = timeout
        self.maxRetries = maxRetries
    }

    public static let knownKeys = [
        "type", "model", "base_url", "api_key_env", "auth", "extra_headers", "deployment", "api_version",
        "timeout", "max_retries", "pricing_provider", "oauth",
    ]

    /// Reads a `[providers.NAME]` table: the entry point for the config file. `${VAR}` in
    /// string values is replaced from `environment`. Errors name `providers.NAME.key`.
    public init(name: String, table: [String: ConfigValue], environment: [String: String]) throws(ProviderSettingsError) {
        let prefix = "providers.\(name)"
        let reader = SettingsTable(path: prefix, values: table, environment: environment)
        func string(_ key: String) throws(ProviderSettingsError) -> String? { try reader.string(key) }
        guard let type = try string("type") else {
            throw .missingKey("\(prefix).type", why: "every provider needs a type (anthropic, openai, openrouter, ...)")
        }
        self.init(name: name, type: type)
        if type == Self.routerType {
            router = try RouterSettings(name: name, table: table)
            return
        }
        for key in table.keys where !Self.knownKeys.contains(key) {
            throw .unknownKey("\(prefix).\(key)", known: Self.knownKeys)
        }
        model = try string("model")
        baseURL = try reader.httpURL("base_url")
        apiKeyEnv = try string("api_key_env")
        if let text = try string("auth") {
            guard let method = AuthMethod(rawValue: text) else {
                throw .invalidValue(
                    "\(prefix).auth", "expected one of \(AuthMethod.allCases.map(\.rawValue).joined(separator: ", ")), found `\(text)`")
            }
            auth = method
        }
        if let value = table["extra_headers"] {
            guard case .table(let headers) = value else {
                throw .wrongType("\(prefix).extra_headers", expected: "a table of strings", found: value)
            }
            for (header, headerValue) in headers {
                guard case .string(let text) = headerValue else {
                    throw .wrongType("\(prefix).extra_headers.\(header)", expected: "a string", found: headerValue)
                }
                extraHeaders[header] = try VariableSubstitution.substitute(
                    text, environment: environment, path: "\(prefix).extra_headers.\(header)")
            }
        }
        deployment = try string("deployment")
        apiVersion = try string("api_version")
        if let text = try string("pricing_provider") {
            guard !text.isEmpty else { throw .invalidValue("\(prefix).pricing_provider", "expected a provider name, found an empty string") }
            pricingProviderKey = text
        }
        if let value = table["oauth"] {
            guard case .table(let oauthTable) = value else { throw .wrongType("\(prefix).oauth", expected: "a table", found: value) }
            oauth = try OAuthSettings(
                path: "\(prefix).oauth", table: oauthTable, defaults: OAuthSettings.builtIn(forType: type, baseURL: baseURL),
                environment: environment)
        }
        if let value = table["timeout"] {
            let seconds: Double
            switch value {
            case .integer(let n): seconds = Double(n)
            case .decimal(let text) where Double(text) != nil: seconds = Double(text) ?? 0
            default: throw .wrongType("\(prefix).timeout", expected: "a number of seconds", found: value)
            }
            guard seconds > 0, seconds <= 86_400 else {
                throw .invalidValue("\(prefix).timeout", "expected 0 < seconds <= 86400 (a day), found \(seconds)")
            }
            timeout = .milliseconds(Int64(seconds * 1000))
        }
        if let value = table["max_retries"] {
            guard case .integer(let n) = value else { throw .wrongType("\(prefix).max_retries", expected: "an integer", found: value) }
            guard (0...20).contains(n) else { throw .invalidValue("\(prefix).max_retries", "expected 0...20, found \(n)") }
            maxRetries = Int(n)
        }
    }

    /// The provider whose prices apply to these calls: `pricing_provider` when set; else, for the
    /// types that are one vendor's API, that vendor (`anthropic`; `openai` for `openai` and
    /// `openai-responses`; `azure`, priced with its fallback to OpenAI; `openrouter`, by vendor
    /// paths); else `nil`, meaning the provider's own name: an `openai-compatible`, `ollama` or
    /// `vllm` server is priced only by a pricing file for its name or by `pricing_provider`
    /// (the built-in `ollama` and `vllm` presets are priced, at $0, by their names).
    public var pricedAs: String? {
        if let pricingProviderKey { return pricingProviderKey }
        return Self.pricingProviderByType[type]
    }

    /// The output limit this provider's adapter sends when a request sets none (Anthropic's
    /// requires one), `nil` when it sends none: what a worst case assumes for such a request.
    public var adapterDefaultMaxOutput: Int? {
        type == "anthropic" ? AnthropicRequestEncoder.defaultMaxTokens : nil
    }

    /// Provider types whose calls are always priced as one pricing-table provider.
    public static let pricingProviderByType = [
        "anthropic": "anthropic", "openai": "openai", "openai-responses": "openai", "azure": "azure",
        "openrouter": "openrouter",
    ]

    /// How `llm-cost login` signs in to this provider: `[providers.NAME.oauth]`, else the type's
    /// built-in flow (OpenRouter's), else `nil` (it takes API keys only).
    public var signIn: OAuthSettings? {
        oauth ?? OAuthSettings.builtIn(forType: type, baseURL: baseURL)
    }

    /// The retry policy these settings ask for.
    public var retryPolicy: RetryPolicy { maxRetries.map { RetryPolicy(maxRetries: $0) } ?? .default }

    /// The timeouts these settings ask for.
    public var timeouts: Timeouts { timeout.map(Timeouts.uniform) ?? .default }
}
