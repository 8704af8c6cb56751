import Foundation
import LLMCostCore
@testable import LLMCostProviders
import LLMCostSimulator
import Testing

/// Cache breakpoints and server tools on the Anthropic wire, and the simulator billing them as
/// Anthropic does: a prefix is written once, then read; searches and fetches are counted.
@Suite struct PromptCachingTests {
    @Test func breakpointsAndServerToolsAreSentWhereAnthropicExpectsThem() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        let request = ChatRequest(
            system: "You are terse.", messages: [.user("first"), .assistant("ok"), .user("second")],
            tools: [ToolDefinition(name: "lookup")], maxTokens: 50,
            cacheBreakpoints: [CacheBreakpoint(.tools, ttl: .oneHour), CacheBreakpoint(.system), CacheBreakpoint(.message(1))],
            serverTools: [ServerTool(.webSearch, maxUses: 2), ServerTool(.webFetch, maxUses: 1, maxContentTokens: 3000)])
        _ = try await anthropic(simulator).complete(request)
        let sent = try #require(JSONSerialization.jsonObject(with: simulator.requests[0].body) as? [String: Any])
        let system = try #require(sent["system"] as? [[String: Any]])
        #expect(system.first?["text"] as? String == "You are terse.")
        #expect((system.first?["cache_control"] as? [String: Any])?["type"] as? String == "ephemeral")
        let tools = try #require(sent["tools"] as? [[String: Any]])
        #expect(tools.map { $0["name"] as? String } == ["lookup", "web_search", "web_fetch"])
        #expect(tools[1]["type"] as? String == "web_search_20250305" && tools[1]["max_uses"] as? Int == 2)
        #expect(tools[2]["max_content_tokens"] as? Int == 3000)
        // The tools' breakpoint sits on the last tool: every definition is in the cached prefix.
        #expect((tools[2]["cache_control"] as? [String: Any])?["ttl"] as? String == "1h")
        let messages = try #require(sent["messages"] as? [[String: Any]])
        let assistant = try #require(messages[1]["content"] as? [[String: Any]])
        #expect(assistant.last?["cache_control"] != nil)
        #expect((messages[0]["content"] as? [[String: Any]])?.last?["cache_control"] == nil)
        #expect(simulator.requests[0].headers["anthropic-beta"] == AnthropicRequestEncoder.webFetchBeta)
    }

    @Test func theSimulatorWritesAPrefixOnceThenReadsIt() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        let system = String(repeating: "x", count: 4000)
        let request = ChatRequest(
            system: system, messages: [.user("abcd")], maxTokens: 50, cacheBreakpoints: [CacheBreakpoint(.system, ttl: .oneHour)])
        let first = try #require(try await anthropic(simulator).complete(request).usage)
        let second = try #require(try await anthropic(simulator).complete(request).usage)
        #expect(first.cacheWrite1hTokens == 1000 && first.cacheReadTokens == 0)
        #expect(second.cacheReadTokens == 1000 && second.cacheWrite1hTokens == 0)
        #expect(first.inputTokens == 1 && second.inputTokens == 1)
        var searching = ChatRequest(messages: [.user("abc")], maxTokens: 50)
        searching.serverTools = [ServerTool(.webSearch, maxUses: 3)]
        let searched = try #require(try await anthropic(simulator).complete(searching).usage)
        // 3 characters: 1 + 3 % 3 = 1 search, 2,500 tokens of results.
        #expect(searched.webSearchRequests == 1)
        #expect(searched.inputTokens == 1 + 2_500)
    }
}
