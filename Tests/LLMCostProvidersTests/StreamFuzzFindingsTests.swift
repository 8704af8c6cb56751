import LLMCostCore
import Testing
@testable import LLMCostProviders

/// What fuzzing the stream parsers found (`Tests/FuzzTests`, `scripts/fuzz.sh`), each with the
/// input that showed it.
@Suite struct StreamFuzzFindingsTests {
    /// Runs `text` through a `StreamDecoder` in pieces of `pieceSize` bytes, keeping the events
    /// that came before an error.
    private func decode(_ text: String, _ wire: WireProtocol, pieceSize: Int = .max) -> (events: [StreamEvent], error: ProviderError?) {
        var decoder = StreamDecoder(protocol: wire, provider: "test")
        var events: [StreamEvent] = []
        let bytes = Array(text.utf8)
        do {
            for start in stride(from: 0, to: bytes.count, by: min(pieceSize, max(bytes.count, 1))) {
                try decoder.decode(bytes[start..<min(bytes.count, start + pieceSize)], into: &events)
            }
            try decoder.finish(into: &events)
            return (events, nil)
        } catch {
            return (events, error)
        }
    }

    private func usages(_ events: [StreamEvent]) -> [Usage] {
        events.compactMap { if case .usage(let usage) = $0 { usage } else { nil } }
    }

    /// Fed at once, a stream whose error event came in the same bytes as its start lost the
    /// start and the usage: fed byte by byte, it kept them.
    @Test func eventsBeforeAnErrorInTheSameBytesAreKept() {
        let text = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_2","model":"claude-y","usage":{"input_tokens":3,"output_tokens":0}}}

            event: error
            data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


            """
        let atOnce = decode(text, .anthropicMessages)
        let byteByByte = decode(text, .anthropicMessages, pieceSize: 1)
        #expect(atOnce.error?.kind == .overloaded)
        #expect(usages(atOnce.events) == [Usage(inputTokens: 3)])
        #expect(atOnce.events == byteByByte.events)
        #expect(atOnce.error?.description == byteByByte.error?.description)
    }

    /// A stream cut off right after a usage update still reports that usage before its error.
    @Test func theLastEventsUsageIsKeptWhenTheStreamIsCutOff() {
        let text = """
            event: message_start
            data: {"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}

            event: message_delta
            data: {"type":"message_delta","usage":{"output_tokens":7}}
            """
        let (events, error) = decode(text, .anthropicMessages)
        #expect(error?.kind == .network)
        #expect(usages(events).last == Usage(inputTokens: 5, outputTokens: 7))
    }

    /// Negative counts went through into the usage, and two huge cache-write counts trapped on
    /// overflow when added: a count must be a whole number from 0 to `Usage.maximumCount`.
    @Test func anthropicCountsOutOfRangeAreSkipped() {
        let text = """
            event: message_start
            data: {"type":"message_start","message":{"usage":{"input_tokens":-9223372036854775808,"output_tokens":1,"cache_creation":{"ephemeral_5m_input_tokens":9223372036854775807,"ephemeral_1h_input_tokens":9223372036854775807}}}}

            event: message_delta
            data: {"type":"message_delta","usage":{"output_tokens":-1,"output_tokens_details":{"thinking_tokens":-1},"cache_read_input_tokens":1000000000000001}}

            event: message_stop
            data: {"type":"message_stop"}


            """
        let (events, error) = decode(text, .anthropicMessages)
        #expect(error == nil)
        #expect(usages(events) == [Usage(outputTokens: 1), Usage(outputTokens: 1)])
    }

    @Test func openAICountsOutOfRangeAreSkipped() {
        let chat = """
            data: {"choices":[{"delta":{"content":"x"},"finish_reason":"stop"}]}

            data: {"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":4,"prompt_tokens_details":{"cached_tokens":-1},"completion_tokens_details":{"reasoning_tokens":-9223372036854775808}}}

            data: [DONE]


            """
        #expect(usages(decode(chat, .openAIChat).events) == [Usage(inputTokens: 10, outputTokens: 4)])
        let responses = """
            event: response.completed
            data: {"type":"response.completed","response":{"usage":{"input_tokens":150,"input_tokens_details":{"cached_tokens":-9223372036854775808},"output_tokens":40,"output_tokens_details":{"reasoning_tokens":-1}}}}


            """
        #expect(usages(decode(responses, .openAIResponses).events) == [Usage(inputTokens: 150, outputTokens: 40)])
    }

    /// An error that says nothing: `{"error":""}` became an error with an empty message.
    @Test func emptyErrorMessagesFallBackToWhatIsKnown() {
        let chat = decode("data: {\"error\":\"\"}\n\ndatag  [DONE] \r\n\n", .openAIChat)
        #expect(chat.error?.message == "error in stream")
        let anthropic = decode(
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"\"}}\n\n", .anthropicMessages)
        #expect(anthropic.error?.message == "overloaded_error")
        let responses = decode(
            "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"error\":{\"code\":\"\",\"message\":\"\"}}}\n\n",
            .openAIResponses)
        #expect(responses.error?.message == "the response failed")
    }
}
