import Foundation
import LLMCostCore
import LLMCostSimulator
import Testing
@testable import LLMCostProviders

/// Every shared Anthropic transcript must parse to the right events and usage, offline (in
/// any chunking) and over HTTP from the simulator.
@Suite struct AnthropicTranscriptTests {
    struct Expected {
        var text: String
        var stop: StopReason.Kind
        var usage: Usage
        var model: String
        var toolCalls: [(name: String, arguments: String, complete: Bool)] = []
    }

    static let expected: [String: Expected] = [
        "basic_response.txt": Expected(
            text: "Hello there!", stop: .endTurn, usage: Usage(inputTokens: 11, outputTokens: 6), model: "claude-3-opus-latest"),
        "compaction_response.txt": Expected(
            text: "Hello there!", stop: .endTurn, usage: Usage(inputTokens: 30, outputTokens: 8), model: "claude-opus-4-7"),
        "fallback_credit_response.txt": Expected(
            text: "Hello there!", stop: .endTurn, usage: Usage(inputTokens: 25, outputTokens: 8), model: "claude-sonnet-4-5"),
        // The fallback block relabels the model that really answered.
        "fallback_response.txt": Expected(
            text: "Hello there!", stop: .endTurn, usage: Usage(inputTokens: 25, outputTokens: 8), model: "claude-sonnet-4-5"),
        "incomplete_partial_json_response.txt": Expected(
            text: "I'll create a comprehensive tax guide for someone with multiple W2s and save it in a file called taxes.txt. Let me do that for you now.",
            stop: .maxTokens, usage: Usage(inputTokens: 450, outputTokens: 124), model: "claude-3-7-sonnet-20250219",
            toolCalls: [("make_file", "{\"filename\": \"taxes.txt\", \"lines_of_text\": [\n\"# COMPREHENSIVE TAX GUIDE FOR INDIVIDUALS WITH MULTIPLE W-2s\",\n\"\",\n\"## INTRODUCTION\",\n\"\",\n\"Filing taxes", false)]),
        // message_delta is cumulative: its 40 / 12 / 7 replace message_start's 25 / 10 / 5.
        "message_delta_fields_response.txt": Expected(
            text: "Hello there!", stop: .endTurn,
            usage: Usage(inputTokens: 40, outputTokens: 8, cacheReadTokens: 7, cacheWrite5mTokens: 12, cacheWrite1hTokens: 0,
                         reasoningTokens: 3, webSearchRequests: 1),
            model: "claude-sonnet-4-5"),
        "refusal_response.txt": Expected(
            text: "", stop: .refusal, usage: Usage(inputTokens: 20, outputTokens: 0), model: "claude-opus-4-7"),
        "tool_use_response.txt": Expected(
            text: "I'll check the current weather in Paris for you.", stop: .toolUse,
            usage: Usage(inputTokens: 377, outputTokens: 65), model: "claude-sonnet-4-20250514",
            toolCalls: [("get_weather", "{\"location\": \"Paris\"}", true)]),
        // No usage in message_start; message_delta carries all of it.
        "usage_omitted_with_optional_fields_response.txt": Expected(
            text: "Hello", stop: .endTurn,
            usage: Usage(inputTokens: 12, outputTokens: 6, cacheReadTokens: 3, cacheWrite5mTokens: 4, reasoningTokens: 2,
                         webSearchRequests: 1),
            model: "claude-test"),
    ]

    private func check(_ events: [StreamEvent], against expected: Expected, name: String) {
        let accumulator = accumulate(events)
        guard let response = accumulator.response else {
            Issue.record("\(name): no finished event")
            return
        }
        #expect(response.text == expected.text, "\(name)")
        #expect(response.stopReason.kind == expected.stop, "\(name)")
        #expect(response.usage == expected.usage, "\(name)")
        #expect(response.model == expected.model, "\(name)")
        #expect(response.toolCalls.map(\.name) == expected.toolCalls.map(\.name), "\(name)")
        for (call, want) in zip(response.toolCalls, expected.toolCalls) {
            #expect(call.arguments == want.arguments, "\(name)")
            #expect((call.parsedArguments != nil) == want.complete, "\(name)")
        }
        // Tool call end events only for blocks the server closed.
        let ends = events.filter { if case .toolCallEnd = $0 { return true } else { return false } }.count
        #expect(ends == expected.toolCalls.filter(\.complete).count, "\(name)")
        if case .finished = events.last {} else { Issue.record("\(name): the last event is not `finished`") }
    }

    @Test func everyTranscriptParsesOffline() throws {
        let transcripts = try anthropicTranscripts()
        #expect(transcripts.count == Self.expected.count)
        for (name, text) in transcripts {
            guard let expected = Self.expected[name] else {
                Issue.record("no expectation for \(name)")
                continue
            }
            for chunkSize in [1, 13, Int.max] {
                let events = try parseOffline(text, parser: AnthropicStreamParser(provider: "anthropic", requestID: nil), chunkSize: chunkSize)
                check(events, against: expected, name: "\(name) / chunks of \(chunkSize)")
            }
        }
    }

    @Test func everyTranscriptParsesOverHTTP() async throws {
        let simulator = try startSimulator()
        defer { simulator.stop() }
        let provider = anthropic(simulator)
        for (name, text) in try anthropicTranscripts() {
            guard let expected = Self.expected[name] else { continue }
            simulator.enqueue(SimulatedReply(.rawEventStream(text)))
            let (events, error) = await collect(provider.stream(.user("hi")))
            #expect(error == nil, "\(name): \(String(describing: error))")
            check(events, against: expected, name: name)
            if case .started(let start) = events.first {
                #expect(start.requestID?.hasPrefix("req_sim_") == true, "\(name): request id from the response header")
            }
        }
    }

    @Test func usageUpdatesReplaceEachOtherAndAreNeverAdded() throws {
        let text = try #require(try anthropicTranscripts().first { $0.name == "message_delta_fields_response.txt" }).text
        let events = try parseOffline(text, parser: AnthropicStreamParser(provider: "anthropic", requestID: nil))
        let usages = events.compactMap { if case .usage(let usage) = $0 { return usage } else { return nil } }
        #expect(usages == [
            Usage(inputTokens: 25, outputTokens: 1, cacheReadTokens: 5, cacheWrite5mTokens: 10),
            Usage(inputTokens: 40, outputTokens: 8, cacheReadTokens: 7, cacheWrite5mTokens: 12, reasoningTokens: 3, webSearchRequests: 1),
        ])
    }

    @Test func splitsCacheWritesByLifetime() throws {
        func usage(_ json: String) throws -> WireValue { try WireValueReader.parse(json) }
        var tracker = AnthropicUsageTracker()
        tracker.merge(try usage(#"{"input_tokens":5,"cache_creation_input_tokens":300,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200}}"#))
        #expect(tracker.usage == Usage(inputTokens: 5, cacheWrite5mTokens: 100, cacheWrite1hTokens: 200))
        tracker.merge(try usage(#"{"output_tokens":9}"#))
        #expect(tracker.usage == Usage(inputTokens: 5, outputTokens: 9, cacheWrite5mTokens: 100, cacheWrite1hTokens: 200))
    }

    @Test func anErrorEventMidStreamIsATypedError() throws {
        let text = """
            event: message_start
            data: {"type":"message_start","message":{"id":"m","model":"claude","usage":{"input_tokens":3,"output_tokens":1}}}

            event: error
            data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


            """
        let error = #expect(throws: ProviderError.self) {
            _ = try parseOffline(text, parser: AnthropicStreamParser(provider: "anthropic", requestID: "req_1"))
        }
        #expect(error?.kind == .overloaded)
        #expect(error?.isRetryable == true)
        #expect(error?.message == "Overloaded")
        #expect(error?.requestID == "req_1")
        #expect(error?.httpStatus == nil, "the HTTP status was 200; the error came inside the stream")
    }
}
