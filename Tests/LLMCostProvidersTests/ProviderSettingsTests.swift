import Foundation
import LLMCostCore
import LLMCostSimulator
import Testing
@testable import LLMCostProviders

@Suite struct ProviderSettingsTests {
    @Test func readsATableWithVariableSubstitution() throws {
        let settings = try ProviderSettings(
            name: "my-vllm",
            table: [
                "type": .string("openai-compatible"), "model": .string("llama"),
                "base_url": .string("http://${VLLM_HOST}/v1"), "api_key_env": .string("VLLM_KEY"), "auth": .string("bearer"),
                "extra_headers": .table(["X-Team": .string("${TEAM}"), "X-Cost": .string("$$5")]),
                "timeout": .integer(30), "max_retries": .integer(4),
            ],
            environment: ["VLLM_HOST": "gpu-box:8000", "TEAM": "search"])
        #expect(settings.baseURL?.absoluteString == "http://gpu-box:8000/v1")
        #expect(settings.extraHeaders == ["X-Team": "search", "X-Cost": "$5"])
        #expect(settings.auth == .bearer)
        #expect(settings.timeout == .seconds(30))
        #expect(settings.retryPolicy.maxRetries == 4)
        let fractional = try ProviderSettings(
            name: "p", table: ["type": .string("openai"), "timeout": .decimal("2.5")], environment: [:])
        #expect(fractional.timeout == .milliseconds(2500))
    }

    @Test(arguments: [
        (["type": ConfigValue.string("openai"), "colour": .string("red")], "providers.p.colour"),
        (["model": ConfigValue.string("m")], "providers.p.type"),
        (["type": ConfigValue.string("openai"), "timeout": .string("soon")], "providers.p.timeout"),
        (["type": ConfigValue.string("openai"), "timeout": .decimal("-0.5")], "providers.p.timeout"),
        (["type": ConfigValue.string("openai"), "timeout": .decimal("1e17")], "providers.p.timeout"),
        (["type": ConfigValue.string("openai"), "auth": .string("basic")], "providers.p.auth"),
        (["type": ConfigValue.string("openai"), "base_url": .string("ftp://x")], "providers.p.base_url"),
        (["type": ConfigValue.string("openai"), "base_url": .string("${NOPE}")], "providers.p.base_url"),
        (["type": ConfigValue.string("openai"), "max_retries": .integer(-1)], "providers.p.max_retries"),
    ])
    func badTablesNameTheKey(table: [String: ConfigValue], path: String) {
        let error = #expect(throws: ProviderSettingsError.self) {
            _ = try ProviderSettings(name: "p", table: table, environment: [:])
        }
        #expect(error?.path == path)
    }

    @Test func presetsComeFromTheEnvironment() throws {
        let registry = ProviderRegistry(environment: ProviderEnvironment(variables: [
            "ANTHROPIC_API_KEY": "sk-ant-x", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
            "AZURE_OPENAI_ENDPOINT": "https://acme.openai.azure.com", "AZURE_OPENAI_API_KEY": "az",
        ]))
        #expect(registry.allSettings.map(\.name) == ["anthropic", "azure", "ollama", "openai", "openai-responses", "openrouter", "vllm"])
        let anthropic = try #require(try registry.provider(named: "anthropic") as? AnthropicProvider)
        #expect(anthropic.baseURL.absoluteString == "http://127.0.0.1:9")
        let azure = try #require(try registry.provider(named: "azure") as? OpenAIChatProvider)
        #expect(azure.endpoint.absoluteString.hasPrefix("https://acme.openai.azure.com/openai/deployments/gpt-4o-mini/chat/completions?api-version="))
        #expect(azure.auth == .apiKey)
        // Ollama needs no key.
        #expect(try registry.provider(named: "ollama").name == "ollama")
    }

    @Test func aMissingKeyIsAConfigurationErrorNamingTheVariable() {
        let registry = ProviderRegistry(environment: ProviderEnvironment(variables: [:]))
        let error = #expect(throws: ProviderError.self) { _ = try registry.provider(named: "openai") }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("OPENAI_API_KEY") == true)
        #expect(throws: ProviderSettingsError.self) { _ = try registry.provider(named: "nonesuch") }
    }

    @Test func configTablesReplacePresetsAndCustomTypesRegister() async throws {
        struct FixedProvider: LLMProvider {
            var name: String
            var defaultModel: String
            func capabilities(for model: String) -> ProviderCapabilities { ProviderCapabilities() }
            func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
                AsyncThrowingStream { continuation in
                    continuation.yield(.textDelta("fixed"))
                    continuation.yield(.finished(stopReason: StopReason(kind: .endTurn, raw: "end"), usage: Usage(inputTokens: 1)))
                    continuation.finish()
                }
            }
        }
        var registry = ProviderRegistry(environment: ProviderEnvironment(variables: [:]))
        #expect(throws: ProviderSettingsError.self) {
            try registry.configure(tables: ["mine": ["type": .string("fixed")]])
        }
        registry.register(type: "fixed") { settings, _ in FixedProvider(name: settings.name, defaultModel: settings.model ?? "f") }
        try registry.configure(tables: [
            "mine": ["type": .string("fixed"), "model": .string("m1")],
            "ollama": ["type": .string("ollama"), "model": .string("qwen3"), "base_url": .string("http://gpu:11434/v1")],
        ])
        let response = try await registry.provider(named: "mine").complete(.user("x"))
        #expect(response.text == "fixed")
        let ollama = try #require(try registry.provider(named: "ollama") as? OpenAIChatProvider)
        #expect(ollama.defaultModel == "qwen3")
        #expect(ollama.endpoint.absoluteString == "http://gpu:11434/v1/chat/completions")
    }

    @Test func presetsTalkToTheSimulatorInEveryFormat() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        let base = simulator.baseURL.absoluteString
        var registry = ProviderRegistry(environment: ProviderEnvironment(variables: [
            "ANTHROPIC_API_KEY": "a-key", "ANTHROPIC_BASE_URL": base, "OPENAI_API_KEY": "o-key",
            "OPENAI_BASE_URL": base + "/v1", "AZURE_OPENAI_ENDPOINT": base, "AZURE_OPENAI_API_KEY": "az-key",
        ]))
        try registry.configure(tables: ["local": ["type": .string("vllm"), "model": .string("m"), "base_url": .string(base + "/v1")]])
        for name in ["anthropic", "openai", "openai-responses", "azure", "local"] {
            let response = try await registry.provider(named: name).complete(.user("ping \(name)"))
            #expect(response.text == "Simulated reply to: ping \(name)", "\(name)")
            #expect(response.usage?.outputTokens == 5, "\(name)")
        }
        let headers = simulator.requests.map(\.headers)
        #expect(headers[0]["x-api-key"] == "a-key")
        #expect(headers[0]["anthropic-version"] == "2023-06-01")
        #expect(headers[1]["authorization"] == "Bearer o-key")
        #expect(headers[3]["api-key"] == "az-key")
        #expect(simulator.requests[3].path.hasPrefix("/openai/deployments/gpt-4o-mini/chat/completions?api-version="))
        #expect(headers[4]["authorization"] == nil)
    }
}
