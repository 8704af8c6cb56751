import LLMCostCore
import LLMCostProviders

extension FuzzTarget {
    /// Anthropic Messages streams, raw bytes through the SSE decoder into the parser.
    public static let anthropicStream = FuzzTarget(
        name: "anthropic-stream", seeds: StreamSeeds.anthropic, streamFormats: [.anthropicMessages],
        body: { input throws(InvariantViolation) in try StreamTarget.run(input, wire: .anthropicMessages) })

    /// OpenAI chat completion chunk streams.
    public static let openAIChatStream = FuzzTarget(
        name: "openai-chat-stream", seeds: StreamSeeds.openAIChat, streamFormats: [.openAIChat],
        body: { input throws(InvariantViolation) in try StreamTarget.run(input, wire: .openAIChat) })

    /// OpenAI Responses API event streams.
    public static let openAIResponsesStream = FuzzTarget(
        name: "openai-responses-stream", seeds: StreamSeeds.openAIResponses, streamFormats: [.openAIResponses],
        body: { input throws(InvariantViolation) in try StreamTarget.run(input, wire: .openAIResponses) })
}

/// What a stream parser promises: the same events and the same error however the bytes are
/// split; counts that are never negative; at most one `finished`, and nothing after it; tool
/// call events only for tool calls that started; and errors that say something.
enum StreamTarget {
    struct Outcome: Equatable {
        var events: [StreamEvent] = []
        var error: String?
    }

    static func run(_ input: [UInt8], wire: WireProtocol) throws(InvariantViolation) {
        let whole = decode([input[...]], wire: wire)
        try check(whole, wire: wire)
        for lengths in Chunking.splits(of: input) {
            let chunked = decode(Chunking.pieces(of: input, lengths: lengths), wire: wire)
            guard chunked != whole else { continue }
            let difference =
                chunked.events == whole.events
                ? "the error was \(whole.error ?? "none") at once, \(chunked.error ?? "none") in pieces"
                : firstDifference(whole.events, chunked.events)
            throw InvariantViolation("\(wire.rawValue): split into \(lengths.count) pieces the stream parses differently: \(difference)")
        }
    }

    static func decode(_ pieces: [ArraySlice<UInt8>], wire: WireProtocol) -> Outcome {
        var decoder = StreamDecoder(protocol: wire, provider: "fuzz")
        var outcome = Outcome()
        do {
            for piece in pieces { try decoder.decode(piece, into: &outcome.events) }
            try decoder.finish(into: &outcome.events)
        } catch {
            outcome.error = error.message.isEmpty ? "" : "\(error.kind): \(error.message)"
        }
        return outcome
    }

    private static func check(_ outcome: Outcome, wire: WireProtocol) throws(InvariantViolation) {
        func violation(_ message: String) -> InvariantViolation { InvariantViolation("\(wire.rawValue): \(message)") }
        if outcome.error == "" { throw violation("a stream failed with an empty message") }
        var startedTools = Set<Int>()
        for (position, event) in outcome.events.enumerated() {
            switch event {
            case .usage(let usage), .finished(_, let usage?):
                if let field = negativeField(of: usage) { throw violation("a usage has a negative \(field): \(usage)") }
            default: break
            }
            switch event {
            case .finished where position != outcome.events.count - 1:
                throw violation("events follow `finished`: \(outcome.events[(position + 1)...].map { String(reflecting: $0) })")
            case .toolCallStart(let index, _, _):
                startedTools.insert(index)
            case .toolCallArgumentsDelta(let index, _), .toolCallEnd(let index):
                guard startedTools.contains(index) else { throw violation("tool call \(index) has an event before it started") }
            default: break
            }
        }
    }

    private static func negativeField(of usage: Usage) -> String? {
        let fields: [(String, Int64)] = [
            ("input", usage.inputTokens), ("output", usage.outputTokens), ("cache read", usage.cacheReadTokens),
            ("cache write 5m", usage.cacheWrite5mTokens), ("cache write 1h", usage.cacheWrite1hTokens),
            ("reasoning", usage.reasoningTokens), ("web search", usage.webSearchRequests),
            ("web fetch", usage.webFetchRequests),
        ]
        return fields.first { $0.1 < 0 }?.0
    }
}

/// Short streams of our own making in each format: text, reasoning, tool calls, usage updates,
/// errors, a cut-off reply. The harnesses add real recordings and the simulator's streams.
enum StreamSeeds {
    static let anthropic = [
        """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","usage":{"input_tokens":12,"cache_read_input_tokens":30,"cache_creation_input_tokens":7,"cache_creation":{"ephemeral_5m_input_tokens":5,"ephemeral_1h_input_tokens":2},"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hm."}}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\": 1}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9,"output_tokens_details":{"thinking_tokens":3},"server_tool_use":{"web_search_requests":1,"web_fetch_requests":2}}}

        event: message_stop
        data: {"type":"message_stop"}


        """,
        """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_2","model":"claude-y","usage":{"input_tokens":3,"output_tokens":0}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"fallback","to":{"model":"claude-z"}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi \\u00e9\\ud83d\\ude00"}}

        event: error
        data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


        """,
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":1}}}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":2.0}}\n\n",
    ]

    static let openAIChat = [
        """
        data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

        data: {"id":"c1","choices":[{"index":0,"delta":{"reasoning_content":"think"},"finish_reason":null}]}

        data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}

        data: {"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}

        data: {"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"x\\":1}"}}]},"finish_reason":null}]}

        data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

        data: {"id":"c1","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":8,"total_tokens":28,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":2}}}

        data: [DONE]


        """,
        "data: {\"choices\":[{\"delta\":{\"content\":\"x\"},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":0}}\n\n",
        "data: {\"error\":{\"message\":\"Rate limited\",\"code\":429}}\n\n",
        "data: {\"error\":\"plain text\"}\n\ndata:  [DONE] \n\n",
    ]

    static let openAIResponses = [
        """
        event: response.created
        data: {"type":"response.created","response":{"id":"resp_1","model":"gpt-x","status":"in_progress","output":[]}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"delta":"Hi"}

        event: response.reasoning_summary_text.delta
        data: {"type":"response.reasoning_summary_text.delta","delta":"because"}

        event: response.output_item.added
        data: {"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":""}}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":1,"delta":"{}"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","output_index":1,"item":{"type":"function_call","id":"fc_1"}}

        event: response.completed
        data: {"type":"response.completed","response":{"id":"resp_1","status":"completed","usage":{"input_tokens":30,"input_tokens_details":{"cached_tokens":10},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":1}}}}


        """,
        """
        event: response.incomplete
        data: {"type":"response.incomplete","response":{"incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":1,"output_tokens":2}}}


        """,
        "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"slow down\"}}}\n\n",
        "event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":\"boom\"}\n\n",
    ]
}
