import Foundation
import Testing
@testable import LLMCostPricing

@Suite struct ResolutionTests {
    @Test(arguments: [
        // (provider, name as called, provider/id it must price as)
        ("anthropic", "claude-sonnet-4-5", "anthropic/claude-sonnet-4-5"),
        ("anthropic", "claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5"),
        ("anthropic", "claude-3-5-haiku-latest", "anthropic/claude-3-5-haiku"),
        ("anthropic", "anthropic/claude-opus-4-1", "anthropic/claude-opus-4-1"),
        ("", "claude-haiku-4-5-20251001", "anthropic/claude-haiku-4-5"),
        ("", "anthropic/claude-sonnet-4.5", "anthropic/claude-sonnet-4-5"),
        ("", "openrouter/anthropic/claude-sonnet-4.5", "anthropic/claude-sonnet-4-5"),
        ("openrouter", "anthropic/claude-sonnet-4.5", "anthropic/claude-sonnet-4-5"),
        ("openrouter", "openai/gpt-4.1-mini", "openai/gpt-4.1-mini"),
        ("openrouter", "x-ai/grok-4", "xai/grok-4"),
        ("openrouter", "google/gemini-2.5-pro", "google/gemini-2.5-pro"),
        ("azure", "gpt-4o", "openai/gpt-4o"),
        ("azure_openai", "gpt-5-mini", "openai/gpt-5-mini"),
        ("", "azure/gpt-4.1", "openai/gpt-4.1"),
        ("gemini", "gemini-2.5-pro", "google/gemini-2.5-pro"),
        ("", "gemini/gemini-2.5-flash", "google/gemini-2.5-flash"),
        ("mistral", "mistral-large-latest", "mistral/mistral-large"),
        ("openai", "GPT-4o", "openai/gpt-4o"),
        ("openai", "gpt-4o-2024-05-13", "openai/gpt-4o-2024-05-13"),
        // An unlisted dated id prices as its undated model.
        ("openai", "gpt-4.1-2026-01-01", "openai/gpt-4.1"),
        ("anthropic", "claude-opus-4-5-20991231", "anthropic/claude-opus-4-5"),
        ("ollama", "qwen2.5-coder:7b", "ollama/*"),
        ("", "ollama/llama3", "ollama/*"),
    ])
    func resolves(provider: String, name: String, expected: String) throws {
        let resolution = try #require(try defaultTable.resolve(provider: provider.isEmpty ? nil : provider, model: name))
        #expect("\(resolution.model.provider)/\(resolution.model.id)" == expected)
        #expect(!resolution.steps.isEmpty)
    }

    @Test(arguments: [
        ("", "gpt-99"), ("anthropic", "gpt-4o"), ("somecloud", "gpt-4o"), ("openrouter", "meta-llama/llama-3-70b"),
        ("openai", "gpt-3.5-turbo-0613"), ("", "llama3"),
    ])
    func doesNotGuess(provider: String, name: String) throws {
        // The curated rules alone; the LiteLLM snapshot's own matching is tested apart.
        #expect(try curatedTable.resolve(provider: provider.isEmpty ? nil : provider, model: name) == nil)
        #expect(try !curatedTable.explainMiss(provider: provider.isEmpty ? nil : provider, model: name).isEmpty)
    }

    @Test func explainsAliasAndFallbackSteps() throws {
        let viaAzure = try #require(try defaultTable.resolve(provider: "azure", model: "gpt-4o-mini-2024-07-18"))
        #expect(viaAzure.steps.contains { $0.contains("using openai prices") })
        #expect(viaAzure.steps.last?.contains("alias of openai/gpt-4o-mini") == true)
    }

    @Test func stripsOnlyFullDateSuffixes() {
        #expect(PriceTable.strippingDateSuffix("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5")
        #expect(PriceTable.strippingDateSuffix("gpt-4o-2024-08-06") == "gpt-4o")
        #expect(PriceTable.strippingDateSuffix("gpt-4-0613") == nil)
        #expect(PriceTable.strippingDateSuffix("o3") == nil)
    }
}
