import Foundation

/// Providers that work with no config file, from the official SDKs' environment variables:
/// `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `OPENAI_API_KEY`, `OPENAI_BASE_URL`,
/// `OPENROUTER_API_KEY`, `AZURE_OPENAI_API_KEY`, `AZURE_OPENAI_ENDPOINT` (+ `OPENAI_API_VERSION`,
/// `AZURE_OPENAI_DEPLOYMENT`), and local Ollama and vLLM servers.
public enum ProviderPresets {
    /// The default key variable and auth of each built-in type.
    public static func defaults(forType type: String) -> (apiKeyEnv: String?, auth: AuthMethod) {
        switch type {
        case "anthropic": return ("ANTHROPIC_API_KEY", .xAPIKey)
        case "openai", "openai-responses": return ("OPENAI_API_KEY", .bearer)
        case "openrouter": return ("OPENROUTER_API_KEY", .bearer)
        case "azure": return ("AZURE_OPENAI_API_KEY", .apiKey)
        case "ollama", "vllm": return (nil, .none)
        default: return (nil, .bearer)
        }
    }

    /// The official endpoint of each built-in type that has one (Azure and generic compatible
    /// servers have none: their `base_url` is required).
    public static func defaultBaseURL(forType type: String) -> URL? {
        switch type {
        case "anthropic": AnthropicProvider.defaultBaseURL
        case "openai", "openai-responses": OpenAIChatProvider.openAIBaseURL
        case "openrouter": OpenAIChatProvider.openRouterBaseURL
        case "ollama": OpenAIChatProvider.ollamaBaseURL
        case "vllm": OpenAIChatProvider.vLLMBaseURL
        default: nil
        }
    }

    /// The preset settings, read from `environment`. Azure appears only when its endpoint is set.
    public static func settings(environment: [String: String]) -> [ProviderSettings] {
        func url(_ variable: String) -> URL? {
            environment[variable].flatMap { $0.isEmpty ? nil : URL(string: $0) }
        }
        var presets = [
            ProviderSettings(
                name: "anthropic", type: "anthropic", model: "claude-sonnet-4-5", baseURL: url("ANTHROPIC_BASE_URL"),
                apiKeyEnv: "ANTHROPIC_API_KEY"),
            ProviderSettings(
                name: "openai", type: "openai", model: "gpt-4o-mini", baseURL: url("OPENAI_BASE_URL"),
                apiKeyEnv: "OPENAI_API_KEY"),
            ProviderSettings(
                name: "openai-responses", type: "openai-responses", model: "gpt-4o-mini", baseURL: url("OPENAI_BASE_URL"),
                apiKeyEnv: "OPENAI_API_KEY"),
            ProviderSettings(
                name: "openrouter", type: "openrouter", model: "openai/gpt-4o-mini", apiKeyEnv: "OPENROUTER_API_KEY"),
            ProviderSettings(name: "ollama", type: "ollama", model: "llama3.2"),
            ProviderSettings(name: "vllm", type: "vllm", model: "default"),
        ]
        if let endpoint = url("AZURE_OPENAI_ENDPOINT") {
            let deployment = environment["AZURE_OPENAI_DEPLOYMENT"] ?? "gpt-4o-mini"
            presets.append(ProviderSettings(
                name: "azure", type: "azure", model: deployment, baseURL: endpoint, apiKeyEnv: "AZURE_OPENAI_API_KEY",
                deployment: deployment, apiVersion: environment["OPENAI_API_VERSION"]))
        }
        return presets
    }
}
