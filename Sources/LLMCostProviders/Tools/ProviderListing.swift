import Foundation

/// The table `llm-cost providers list` prints. Shows whether each key is set, never its value.
public struct ProviderListing: Sendable {
    public var registry: ProviderRegistry

    public init(registry: ProviderRegistry) {
        self.registry = registry
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

    /// Providers whose API key is set: the ones `providers check` tries by default (local
    /// servers that need no key are only checked by name, since most machines run none).
    public var namesWithKeys: [String] {
        registry.allSettings.filter { registry.environment.apiKey(for: $0) != nil }.map(\.name)
    }

    public func table() -> String {
        let rows = registry.allSettings.map { settings -> [String] in
            [settings.name, settings.type, settings.model ?? "-", baseURL(settings), keyStatus(settings)]
        }
        let header = ["NAME", "TYPE", "MODEL", "BASE URL", "API KEY"]
        let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    private func baseURL(_ settings: ProviderSettings) -> String {
        if let url = settings.baseURL { return url.absoluteString }
        switch settings.type {
        case "anthropic": return AnthropicProvider.defaultBaseURL.absoluteString
        case "openai", "openai-responses": return OpenAIChatProvider.openAIBaseURL.absoluteString
        case "openrouter": return OpenAIChatProvider.openRouterBaseURL.absoluteString
        case "ollama": return OpenAIChatProvider.ollamaBaseURL.absoluteString
        case "vllm": return OpenAIChatProvider.vLLMBaseURL.absoluteString
        default: return "-"
        }
    }
}

extension ProviderCheck.Result {
    /// `NAME  ok  model  123 ms` or `NAME  FAILED  diagnosis`.
    public var line: String {
        let time = latency.map { " \($0.milliseconds) ms" } ?? ""
        return ok ? "\(name): ok (\(model ?? "?"),\(time))" : "\(name): FAILED: \(diagnosis)"
    }
}
