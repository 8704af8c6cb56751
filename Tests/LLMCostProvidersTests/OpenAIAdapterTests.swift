import Foundation
import LLMCostCore
import LLMCostSimulator
import Testing
@testable import LLMCostProviders

/// OpenAI chat completions and the Responses API, over HTTP against the simulator.
@Suite struct OpenAIAdapterTests {
    @Test func reasoningModelsAreNamedAlikeForChatAndResponses() {
        for model in ["o1", "o3-mini", "o4-mini-2025-04-16", "gpt-5-nano", "deepseek-r1", "qwen-reasoning"] {
            #expect(OpenAIChatProvider.isReasoningModel(model), "\(model)")
        }
        for model in ["gpt-4o", "gpt-4.1-mini", "omni-moderation-latest", "llama-3.1-8b"] {
            #expect(!OpenAIChatProvider.isReasoningModel(model), "\(model)")
        }
    }

    @Test(arguments: [("[DONE]", true), (" [DONE]\t", true), ("[DONE]x", false), ("[DO NE]", false), ("{}", false), ("", false)])
    func theChatStreamEndsOnlyAtItsSentinel(data: String, isDone: Bool) {
        #expect(OpenAIChatStreamParser.isDoneSentinel(data) == isDone)
    }

    @Test func chatStreamConvertsUsageExactly() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        // On the wire: prompt_tokens 1000 including 800 cached; completion_tokens 300 including 120 reasoning.
        let usage = Usage(inputTokens: 200, outputTokens: 300, cacheReadTokens: 800, reasoningTokens: 120)
        simulator.enqueue(SimulatedReply(.completion(SimulatedCompletion(model: "gpt-4o-2024-08-06", textChunks: ["Hel", "lo"], usage: usage))))
        let response = try await openAIChat(simulator).complete(.user("hi"))
        #expect(response.text == "Hello")
        #expect(response.usage == usage)
        #expect(response.stopReason.kind == .endTurn)
        #expect(response.model == "gpt-4o-2024-08-06")
        #expect(response.requestID == "req_sim_000001")

        let wire = try #require(simulator.requests.first?.json)
        let sent = try #require(JSONSerialization.jsonObject(with: simulator.requests[0].body) as? [String: Any])
        #expect(wire["stream"] as? Bool == true)
        #expect((sent["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
        #expect(simulator.requests[0].headers["authorization"] == "Bearer sk-openai-test-key-0123456789")
        #expect(simulator.requests[0].path == "/v1/chat/completions")
    }

    @Test func chatUsageChunkArithmetic() throws {
        let usage = OpenAIUsage.chat(try WireValueReader.parse(
            #"{"prompt_tokens":1000,"completion_tokens":300,"prompt_tokens_details":{"cached_tokens":800},"completion_tokens_details":{"reasoning_tokens":120}}"#))
        #expect(usage == Usage(inputTokens: 200, outputTokens: 300, cacheReadTokens: 800, reasoningTokens: 120))
        #expect(usage.totalInputTokens == 1000)
    }

    @Test func chatStreamWithoutUsageChunkReportsNoUsage() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        var completion = SimulatedCompletion(textChunks: ["ok"])
        completion.sendsUsage = false
        simulator.enqueue(SimulatedReply(.completion(completion)))
        let (events, error) = await collect(openAIChat(simulator).stream(.user("hi")))
        #expect(error == nil)
        #expect(events.last == .finished(stopReason: StopReason(kind: .endTurn, raw: "stop"), usage: nil))
        #expect(!events.contains { if case .usage = $0 { return true } else { return false } })
    }

    @Test func chatToolCallsArriveByIndexWithSplitArguments() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        simulator.enqueue(.toolCall(id: "call_1", name: "get_weather", argumentChunks: [#"{"ci"#, #"ty": "Pa"#, #"ris"}"#]))
        let request = ChatRequest(
            messages: [.user("weather?")],
            tools: [ToolDefinition(name: "get_weather", parameters: ["type": "object", "properties": ["city": ["type": "string"]]])],
            toolChoice: .required)
        let (events, error) = await collect(openAIChat(simulator).stream(request))
        #expect(error == nil)
        #expect(events.contains(.toolCallStart(index: 0, id: "call_1", name: "get_weather")))
        #expect(events.filter { if case .toolCallArgumentsDelta = $0 { return true } else { return false } }.count == 3)
        #expect(events.contains(.toolCallEnd(index: 0)))
        let response = try #require(accumulate(events).response)
        #expect(response.toolCalls.first?.parsedArguments == ["city": "Paris"])
        #expect(response.stopReason.kind == .toolUse)
        let sent = try #require(JSONSerialization.jsonObject(with: simulator.requests[0].body) as? [String: Any])
        #expect(sent["tool_choice"] as? String == "required")
        let tools = try #require(sent["tools"] as? [[String: Any]])
        #expect((tools.first?["function"] as? [String: Any])?["name"] as? String == "get_weather")
    }

    @Test func lateUsageFromCompatibleServersWins() throws {
        // OpenRouter-like: a zero usage first, the real one on the last chunk.
        let text = """
            data: {"id":"gen-1","model":"anthropic/claude","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":{"prompt_tokens":0,"completion_tokens":0}}

            data: {"id":"gen-1","model":"anthropic/claude","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

            data: {"id":"gen-1","model":"anthropic/claude","choices":[],"usage":{"prompt_tokens":42,"completion_tokens":7}}

            data: [DONE]

            """
        let events = try parseOffline(text, parser: OpenAIChatStreamParser(provider: "openrouter", requestID: nil))
        #expect(accumulate(events).response?.usage == Usage(inputTokens: 42, outputTokens: 7))
    }

    @Test func parallelToolCallsInterleaveByIndex() throws {
        let text = #"""
            data: {"id":"c1","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"alpha","arguments":""}}]},"finish_reason":null}]}

            data: {"id":"c1","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"beta","arguments":"{\"y\""}}]},"finish_reason":null}]}

            data: {"id":"c1","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"x\":1}"}}]},"finish_reason":null}]}

            data: {"id":"c1","model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":":2}"}}]},"finish_reason":null}]}

            data: {"id":"c1","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: [DONE]
            """#
        let events = try parseOffline(text, parser: OpenAIChatStreamParser(provider: "openai", requestID: nil), chunkSize: 5)
        let response = try #require(accumulate(events).response)
        #expect(response.toolCalls.map(\.name) == ["alpha", "beta"])
        #expect(response.toolCalls.map(\.parsedArguments) == [["x": 1], ["y": 2]])
        #expect(events.suffix(3).prefix(2) == [.toolCallEnd(index: 0), .toolCallEnd(index: 1)])
        #expect(response.usage == nil)
    }

    @Test func errorsInsideAChatStreamAreTyped() {
        let object = #"data: {"error":{"message":"Rate limit exceeded","code":429}}"# + "\n\n"
        let error = #expect(throws: ProviderError.self) {
            _ = try parseOffline(object, parser: OpenAIChatStreamParser(provider: "openrouter", requestID: nil))
        }
        #expect(error?.kind == .rateLimited)
        #expect(error?.message == "Rate limit exceeded")
        let text = #"data: {"error":"model crashed"}"# + "\n\n"
        let plain = #expect(throws: ProviderError.self) {
            _ = try parseOffline(text, parser: OpenAIChatStreamParser(provider: "vllm", requestID: nil))
        }
        #expect(plain?.kind == .server)
        #expect(plain?.message == "model crashed")
    }

    @Test func responsesIncompleteAndFailed() throws {
        let incomplete = #"""
            event: response.created
            data: {"type":"response.created","response":{"id":"resp_1","model":"o4-mini","status":"in_progress"}}

            event: response.output_text.delta
            data: {"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"delta":"Part"}

            event: response.incomplete
            data: {"type":"response.incomplete","response":{"id":"resp_1","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":30,"input_tokens_details":{"cached_tokens":10},"output_tokens":64,"output_tokens_details":{"reasoning_tokens":60}}}}

            """#
        let events = try parseOffline(incomplete, parser: OpenAIResponsesStreamParser(provider: "openai", requestID: nil), chunkSize: 3)
        let response = try #require(accumulate(events).response)
        #expect(response.text == "Part")
        #expect(response.stopReason.kind == .maxTokens)
        #expect(response.usage == Usage(inputTokens: 20, outputTokens: 64, cacheReadTokens: 10, reasoningTokens: 60))
        #expect(response.model == "o4-mini")

        let failed = #"""
            event: response.failed
            data: {"type":"response.failed","response":{"id":"resp_2","status":"failed","error":{"code":"server_error","message":"The model failed."}}}

            """#
        let error = #expect(throws: ProviderError.self) {
            _ = try parseOffline(failed, parser: OpenAIResponsesStreamParser(provider: "openai", requestID: nil))
        }
        #expect(error?.kind == .server)
        #expect(error?.message == "The model failed.")
        let cut = #expect(throws: ProviderError.self) {
            _ = try parseOffline(String(incomplete.prefix(250)), parser: OpenAIResponsesStreamParser(provider: "openai", requestID: nil))
        }
        #expect(cut?.kind == .network)
    }

    @Test func responsesStreamTextToolsAndUsage() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        let usage = Usage(inputTokens: 50, outputTokens: 40, cacheReadTokens: 14, reasoningTokens: 16)
        simulator.enqueue(SimulatedReply(.completion(SimulatedCompletion(
            textChunks: ["Let me ", "look."],
            toolCalls: [SimulatedToolCall(id: "call_9", name: "search", argumentChunks: [#"{"q":"#, #""swift"}"#])],
            usage: usage))))
        let provider = responses(simulator)
        let (events, error) = await collect(provider.stream(ChatRequest(system: "Be brief.", messages: [.user("find swift")], maxTokens: 50)))
        #expect(error == nil)
        let response = try #require(accumulate(events).response)
        #expect(response.text == "Let me look.")
        #expect(response.toolCalls == [ToolCall(id: "call_9", name: "search", arguments: #"{"q":"swift"}"#)])
        #expect(response.usage == usage)
        #expect(response.stopReason.kind == .toolUse)
        #expect(events.contains(.toolCallEnd(index: 0)))
        let sent = try #require(JSONSerialization.jsonObject(with: simulator.requests[0].body) as? [String: Any])
        #expect(sent["instructions"] as? String == "Be brief.")
        #expect(sent["max_output_tokens"] as? Int == 50)
        #expect(simulator.requests[0].path == "/v1/responses")
    }

    @Test func azureURLCarriesDeploymentAndVersion() throws {
        let url = try #require(OpenAIChatProvider.azureChatCompletionsURL(
            endpoint: URL(string: "https://acme.openai.azure.com")!, deployment: "gpt4o-prod", apiVersion: "2024-10-21"))
        #expect(url.absoluteString == "https://acme.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21")
    }
}

/// Many calls at once against one simulator, as the metering layer's concurrency tests will do.
@Suite struct ConcurrencyTests {
    @Test func fiftyConcurrentStreamsEachGetTheirOwnReply() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        let anthropicProvider = anthropic(simulator)
        let openAIProvider = openAIChat(simulator)
        let replies = try await withThrowingTaskGroup(of: (Int, ChatResponse).self) { group in
            for index in 0..<50 {
                group.addTask {
                    let provider: any LLMProvider = index.isMultiple(of: 2) ? anthropicProvider : openAIProvider
                    return (index, try await provider.complete(.user("call number \(index)")))
                }
            }
            var replies: [Int: ChatResponse] = [:]
            for try await (index, response) in group { replies[index] = response }
            return replies
        }
        #expect(replies.count == 50)
        for (index, response) in replies {
            #expect(response.text == "Simulated reply to: call number \(index)")
            #expect(response.usage?.outputTokens == 6)
        }
        #expect(Set(simulator.requests.map(\.path)) == ["/v1/messages", "/v1/chat/completions"])
        // The server records an outcome just after its last write, maybe after the client finished.
        for _ in 0..<200 where simulator.outcomes.count < 50 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(simulator.outcomes.filter { $0 == .complete }.count == 50)
    }
}
