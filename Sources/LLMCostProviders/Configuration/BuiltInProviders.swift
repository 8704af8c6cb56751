import Foundation

/// The factories of the built-in provider types.
enum BuiltInProviders {
    static let defaultAzureAPIVersion = "2024-10-21"

    static let factories: [String: ProviderFactory] = [
        "anthropic": anthropic,
        "openai": compatible(OpenAIChatProvider.openAIBaseURL, maxTokensField: "max_completion_tokens"),
        "openrouter": compatible(OpenAIChatProvider.openRouterBaseURL),
        "ollama": compatible(OpenAIChatProvider.ollamaBaseURL),
        "vllm": compatible(OpenAIChatProvider.vLLMBaseURL),
        "openai-compatible": { settings, environment in
            guard settings.baseURL != nil else {
                throw ProviderSettingsError.missingKey(
                    "providers.\(settings.name).base_url", why: "an openai-compatible provider needs its server's URL")
            }
            return try openAICompatible(settings, environment, defaultBase: OpenAIChatProvider.openAIBaseURL,
                                        maxTokensField: "max_tokens", streamingUsage: false)
        },
        "openai-responses": responses,
        "azure": azure,
    ]

    /// The factory of an OpenAI-compatible server that reports usage in streams, `base` by default.
    static func compatible(_ base: URL, maxTokensField: String = "max_tokens") -> ProviderFactory {
        { settings, environment in
            try openAICompatible(settings, environment, defaultBase: base, maxTokensField: maxTokensField, streamingUsage: true)
        }
    }

    /// What calls of `settings` authenticate with: the signed-in credential (an API key from
    /// OpenRouter's flow, or OAuth tokens), else the key variable's value, else nothing. With
    /// `required`, a missing key is a configuration error naming the variable to set.
    static func credential(
        _ settings: ProviderSettings, _ environment: ProviderEnvironment, auth: AuthMethod, required: Bool = true
    ) throws -> (key: String?, tokens: BearerTokenProvider?) {
        if let signedIn = try environment.signedIn(settings) {
            return signedIn.current.kind == .apiKey ? (signedIn.current.secret, nil) : (nil, signedIn.bearerTokens)
        }
        guard auth != .none else { return (nil, nil) }
        if let key = environment.apiKey(for: settings) { return (key, nil) }
        guard required else { return (nil, nil) }
        let variable = settings.apiKeyEnv ?? ProviderPresets.defaults(forType: settings.type).apiKeyEnv
        let signIn = settings.signIn != nil ? ", or sign in with `llm-cost login \(settings.name)`" : ""
        throw ProviderError.configuration(
            provider: settings.name,
            message: (variable.map { "no API key: set \($0)" }
                ?? "no API key: set api_key_env to the variable holding it, or auth = \"none\"") + signIn)
    }

    static func model(_ settings: ProviderSettings) throws -> String {
        guard let model = settings.model, !model.isEmpty else {
            throw ProviderSettingsError.missingKey("providers.\(settings.name).model", why: "which model to call")
        }
        return model
    }

    static func anthropic(_ settings: ProviderSettings, _ environment: ProviderEnvironment) throws -> any LLMProvider {
        let auth = settings.auth ?? .xAPIKey
        let (key, tokens) = try credential(settings, environment, auth: auth)
        let credentials: AnthropicProvider.Credentials
        switch (auth, key, tokens) {
        case (_, _, let tokens?): credentials = .oauth(tokens)
        case (.bearer, let key?, _): credentials = .oauth(BearerTokenProvider { _ in key })
        case (_, let key?, _): credentials = .apiKey(key)
        default: credentials = .none
        }
        var provider = AnthropicProvider(
            name: settings.name, model: try model(settings), baseURL: settings.baseURL ?? AnthropicProvider.defaultBaseURL,
            credentials: credentials, extraHeaders: settings.extraHeaders, timeouts: settings.timeouts,
            retry: settings.retryPolicy, transport: environment.transport, rawLog: environment.rawLog)
        provider.pricingProvider = settings.pricedAs
        return provider
    }

    static func openAICompatible(
        _ settings: ProviderSettings, _ environment: ProviderEnvironment, defaultBase: URL, maxTokensField: String,
        streamingUsage: Bool
    ) throws -> any LLMProvider {
        let auth = settings.auth ?? ProviderPresets.defaults(forType: settings.type).auth
        // Compatible servers often need no key: send one only when there is one.
        let (key, tokens) = try credential(
            settings, environment, auth: auth, required: settings.type == "openai" || settings.type == "openrouter")
        var provider = OpenAIChatProvider(
            name: settings.name, model: try model(settings),
            endpoint: OpenAIChatProvider.chatCompletionsURL(base: settings.baseURL ?? defaultBase),
            auth: auth, apiKey: key, extraHeaders: settings.extraHeaders, maxTokensField: maxTokensField,
            capabilities: ProviderCapabilities(streamingUsage: streamingUsage), timeouts: settings.timeouts,
            retry: settings.retryPolicy, transport: environment.transport, rawLog: environment.rawLog, tokens: tokens)
        provider.pricingProvider = settings.pricedAs
        return provider
    }

    static func responses(_ settings: ProviderSettings, _ environment: ProviderEnvironment) throws -> any LLMProvider {
        let auth = settings.auth ?? .bearer
        let (key, tokens) = try credential(settings, environment, auth: auth)
        var provider = OpenAIResponsesProvider(
            name: settings.name, model: try model(settings), baseURL: settings.baseURL ?? OpenAIChatProvider.openAIBaseURL,
            auth: auth, apiKey: key, extraHeaders: settings.extraHeaders,
            timeouts: settings.timeouts, retry: settings.retryPolicy, transport: environment.transport,
            rawLog: environment.rawLog, tokens: tokens)
        provider.pricingProvider = settings.pricedAs
        return provider
    }

    static func azure(_ settings: ProviderSettings, _ environment: ProviderEnvironment) throws -> any LLMProvider {
        guard let endpoint = settings.baseURL else {
            throw ProviderSettingsError.missingKey(
                "providers.\(settings.name).base_url", why: "the Azure endpoint (https://NAME.openai.azure.com)")
        }
        guard let deployment = settings.deployment ?? settings.model else {
            throw ProviderSettingsError.missingKey("providers.\(settings.name).deployment", why: "the Azure deployment name")
        }
        let apiVersion = settings.apiVersion ?? defaultAzureAPIVersion
        guard let url = OpenAIChatProvider.azureChatCompletionsURL(endpoint: endpoint, deployment: deployment, apiVersion: apiVersion)
        else {
            throw ProviderSettingsError.invalidValue("providers.\(settings.name).deployment", "cannot form a URL with `\(deployment)`")
        }
        let auth = settings.auth ?? .apiKey
        let (key, tokens) = try credential(settings, environment, auth: auth)
        var provider = OpenAIChatProvider(
            name: settings.name, model: settings.model ?? deployment, endpoint: url, auth: auth,
            apiKey: key, extraHeaders: settings.extraHeaders,
            maxTokensField: "max_completion_tokens", capabilities: ProviderCapabilities(streamingUsage: true),
            timeouts: settings.timeouts, retry: settings.retryPolicy, transport: environment.transport,
            rawLog: environment.rawLog, tokens: tokens)
        provider.pricingProvider = settings.pricedAs
        return provider
    }
}
