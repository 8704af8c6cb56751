import Foundation
import Testing
@testable import LLMCostTokenizer

@Suite struct ModelEncodingMapTests {
    @Test(arguments: [
        ("gpt-4o", EncodingName.o200k_base), ("gpt-4o-mini-2024-07-18", .o200k_base), ("openai/gpt-4.1-nano", .o200k_base),
        ("gpt-5", .o200k_base), ("gpt-5-mini", .o200k_base), ("gpt-5.1", .o200k_base), ("o1", .o200k_base),
        ("o3-mini", .o200k_base), ("o4-mini-2025-04-16", .o200k_base), ("ft:gpt-4o-mini-2024-07-18:acme::x", .o200k_base),
        ("gpt-4", .cl100k_base), ("gpt-4-turbo", .cl100k_base), ("gpt-3.5-turbo-0125", .cl100k_base),
        ("text-embedding-3-small", .cl100k_base), ("gpt-oss-120b", .o200k_harmony), ("openrouter/openai/gpt-oss-20b", .o200k_harmony),
    ])
    func knownModelsMapToTheirEncoding(model: String, encoding: EncodingName) {
        #expect(ModelEncodingMap.encoding(forModel: model) == encoding)
    }

    @Test(arguments: ["claude-sonnet-4-5", "gemini-2.5-pro", "gpt-4.7", "o10", "gpt-4omega", "llama-3.1-70b", ""])
    func otherModelsHaveNoEncoding(model: String) {
        #expect(ModelEncodingMap.encoding(forModel: model) == nil)
    }
}

@Suite struct HeuristicTests {
    /// The calibration's promise, checked on whole corpus files against the exact o200k count.
    @Test func corpusFilesFallWithinTheBand() throws {
        let estimator = HeuristicEstimator(profile: .openAILike)
        for row in SharedData.expectedCounts {
            let text = try String(contentsOf: SharedData.corpus.appendingPathComponent(row.file), encoding: .utf8)
            let estimate = estimator.estimate(text)
            let exact = try #require(row.counts[.o200k_base])
            #expect(estimate.low <= exact && exact <= estimate.high, "\(row.file): \(estimate) vs \(exact)")
            #expect(!estimate.isExact)
        }
    }

    @Test func shortTextsAndScriptsGetSensibleEstimates() {
        let estimator = HeuristicEstimator(profile: .anthropic)
        #expect(estimator.estimate("").tokens == 0)
        #expect(estimator.estimate("hi").tokens >= 1)
        let english = estimator.estimate(String(repeating: "The quick brown fox jumps. ", count: 40))
        #expect((200...320).contains(english.tokens))
        // CJK costs far more per character than English.
        #expect(estimator.estimate(String(repeating: "日本語", count: 100)).tokens > estimator.estimate(String(repeating: "abc", count: 100)).tokens)
        #expect(HeuristicEstimator.profile(forModel: "claude-opus-4-1") == .anthropic)
        #expect(HeuristicEstimator.profile(forModel: "vertex/gemini-2.5-flash") == .google)
    }

    @Test func counterFallsBackToTheHeuristicWithANote() {
        let loader = EncodingLoader(files: TokenizerFiles(environment: ["XDG_CACHE_HOME": "/nonexistent-llm-cost"], allowDownload: false))
        let counter = TokenCounter.forModel("gpt-4o", loader: loader)
        #expect(counter.encoding == nil)
        #expect(counter.note?.contains("not found") == true)
        #expect(!counter.count("hello world").isExact)
        #expect(TokenCounter.forModel("claude-sonnet-4-5", loader: loader).note == nil)
    }
}

@Suite struct ChatCountingTests {
    @Test func openAIMessagesFollowTheCookbook() throws {
        let encoding = try SharedData.encoding(.o200k_base)
        let chat = ChatTokenCounter(counter: TokenCounter(backend: .exact(encoding)))
        let messages = [
            ChatMessage(role: "system", content: "You are a helpful assistant."),
            ChatMessage(role: "user", content: "New synergies will help drive top-line growth.", name: "example_user"),
        ]
        let parts = ["system", "You are a helpful assistant.", "user", "New synergies will help drive top-line growth.", "example_user"]
        let expected = parts.map(encoding.count).reduce(0, +) + 3 * 2 + 1 + 3
        let estimate = chat.count(messages: messages)
        #expect(estimate.tokens == expected)
        #expect(estimate.isExact)
    }

    @Test func functionToolsFollowTheCookbook() throws {
        let encoding = try SharedData.encoding(.o200k_base)
        let chat = ChatTokenCounter(counter: TokenCounter(backend: .exact(encoding)))
        let tool = ToolDefinition(name: "get_weather", description: "Get the weather.", parameters: [
            .init(name: "city", type: "string", description: "The city."),
            .init(name: "unit", type: "string", description: "", enumValues: ["c", "f"]),
        ])
        let withTools = chat.count(messages: [ChatMessage(role: "user", content: "hi")], tools: [tool]).tokens
        let without = chat.count(messages: [ChatMessage(role: "user", content: "hi")]).tokens
        let expectedTools = 7 + encoding.count("get_weather:Get the weather") + 3
            + 3 + encoding.count("city:string:The city")
            + 3 - 3 + 3 + encoding.count("c") + 3 + encoding.count("f") + encoding.count("unit:string:")
            + 12
        #expect(withTools - without == expectedTools)
    }

    @Test func claudeEstimatesIncludeTheToolSystemPrompt() {
        let counter = TokenCounter.forModel("claude-sonnet-4-5")
        let chat = ChatTokenCounter(counter: counter, model: "claude-sonnet-4-5")
        let messages = [ChatMessage(role: "user", content: "hello")]
        let tool = ToolDefinition(name: "f", description: "g")
        let difference = chat.count(messages: messages, tools: [tool]).tokens - chat.count(messages: messages).tokens
        #expect(difference > 346)
        #expect(!chat.count(messages: messages).isExact)
    }
}
