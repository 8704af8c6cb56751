import Foundation
import LLMCostCore

/// One server-sent event to write.
struct OutgoingEvent: Sendable {
    var name: String?
    var data: String

    /// The event as bytes on the wire.
    var wireText: String {
        var text = ""
        if let name { text += "event: \(name)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        return text + "\n"
    }
}

/// What the server sends for one reply, before the misbehaviours are applied.
enum RenderedReply {
    case events([OutgoingEvent])
    case body(status: Int, contentType: String, text: String)
}

/// JSON text with sorted keys, so every reply is byte-for-byte deterministic.
func jsonText(_ object: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}

/// Renders a completion or an error in each wire format.
enum WireRenderer {
    static func render(_ body: SimulatedReply.Body, format: WireFormat, request: SimulatorRequest) -> RenderedReply {
        switch body {
        case .raw(let status, let contentType, let text):
            return .body(status: status, contentType: contentType, text: text)
        case .rawEventStream(let text):
            return .body(status: 200, contentType: "text/event-stream", text: text)
        case .error(let status, let type, let message):
            let object: [String: Any] =
                format == .anthropic
                ? ["type": "error", "error": ["type": type, "message": message]]
                : ["error": ["message": message, "type": type, "code": NSNull()]]
            return .body(status: status, contentType: "application/json", text: jsonText(object))
        case .completion(var completion):
            if completion.model == nil { completion.model = request.model ?? "sim-model" }
            let stream = request.wantsStream
            switch format {
            case .anthropic:
                return stream ? .events(AnthropicWire.events(completion)) : .body(status: 200, contentType: "application/json", text: jsonText(AnthropicWire.message(completion)))
            case .openAIChat:
                return stream
                    ? .events(OpenAIChatWire.events(completion, includeUsage: request.wantsStreamUsage))
                    : .body(status: 200, contentType: "application/json", text: jsonText(OpenAIChatWire.completion(completion)))
            case .openAIResponses:
                return stream ? .events(ResponsesWire.events(completion)) : .body(status: 200, contentType: "application/json", text: jsonText(ResponsesWire.response(completion, status: "completed")))
            }
        }
    }
}

/// The Anthropic Messages format.
enum AnthropicWire {
    static func usage(_ usage: Usage, full: Bool) -> [String: Any] {
        var object: [String: Any] = [
            "input_tokens": usage.inputTokens, "output_tokens": usage.outputTokens,
            "cache_read_input_tokens": usage.cacheReadTokens, "cache_creation_input_tokens": usage.cacheWriteTokens,
            "cache_creation": [
                "ephemeral_5m_input_tokens": usage.cacheWrite5mTokens, "ephemeral_1h_input_tokens": usage.cacheWrite1hTokens,
            ],
        ]
        if full {
            if usage.reasoningTokens > 0 { object["output_tokens_details"] = ["thinking_tokens": usage.reasoningTokens] }
            if usage.webSearchRequests > 0 || usage.webFetchRequests > 0 {
                object["server_tool_use"] = [
                    "web_search_requests": usage.webSearchRequests, "web_fetch_requests": usage.webFetchRequests,
                ]
            }
        }
        return object
    }

    static func stopReason(_ completion: SimulatedCompletion) -> String {
        completion.stopReason ?? (completion.toolCalls.isEmpty ? "end_turn" : "tool_use")
    }

    static func events(_ completion: SimulatedCompletion) -> [OutgoingEvent] {
        func event(_ name: String, _ object: [String: Any]) -> OutgoingEvent {
            var object = object
            object["type"] = name
            return OutgoingEvent(name: name, data: jsonText(object))
        }
        var startUsage = completion.usage
        startUsage.outputTokens = 1
        var events = [event("message_start", [
            "message": [
                "id": completion.id, "type": "message", "role": "assistant", "content": [Any](),
                "model": completion.model ?? "", "stop_reason": NSNull(), "stop_sequence": NSNull(),
                "usage": usage(startUsage, full: false),
            ] as [String: Any],
        ])]
        var index = 0
        if !completion.reasoningChunks.isEmpty {
            events.append(event("content_block_start", ["index": index, "content_block": ["type": "thinking", "thinking": ""]]))
            for chunk in completion.reasoningChunks {
                events.append(event("content_block_delta", ["index": index, "delta": ["type": "thinking_delta", "thinking": chunk]]))
            }
            events.append(event("content_block_stop", ["index": index]))
            index += 1
        }
        if !completion.textChunks.isEmpty {
            events.append(event("content_block_start", ["index": index, "content_block": ["type": "text", "text": ""]]))
            events.append(OutgoingEvent(name: "ping", data: #"{"type": "ping"}"#))
            for chunk in completion.textChunks {
                events.append(event("content_block_delta", ["index": index, "delta": ["type": "text_delta", "text": chunk]]))
            }
            events.append(event("content_block_stop", ["index": index]))
            index += 1
        }
        for call in completion.toolCalls {
            events.append(event("content_block_start", [
                "index": index, "content_block": ["type": "tool_use", "id": call.id, "name": call.name, "input": [String: Any]()],
            ]))
            for chunk in call.argumentChunks {
                events.append(event("content_block_delta", ["index": index, "delta": ["type": "input_json_delta", "partial_json": chunk]]))
            }
            events.append(event("content_block_stop", ["index": index]))
            index += 1
        }
        events.append(event("message_delta", [
            "delta": ["stop_reason": stopReason(completion), "stop_sequence": NSNull()],
            "usage": usage(completion.usage, full: true),
        ]))
        events.append(event("message_stop", [:]))
        return events
    }

    static func message(_ completion: SimulatedCompletion) -> [String: Any] {
        var content: [[String: Any]] = []
        let reasoning = completion.reasoningChunks.joined()
        if !reasoning.isEmpty { content.append(["type": "thinking", "thinking": reasoning, "signature": "sim"]) }
        let text = completion.textChunks.joined()
        if !text.isEmpty { content.append(["type": "text", "text": text]) }
        for call in completion.toolCalls {
            let arguments = (try? JSONSerialization.jsonObject(with: Data(call.argumentChunks.joined().utf8))) ?? [String: Any]()
            content.append(["type": "tool_use", "id": call.id, "name": call.name, "input": arguments])
        }
        return [
            "id": completion.id, "type": "message", "role": "assistant", "model": completion.model ?? "",
            "content": content, "stop_reason": stopReason(completion), "stop_sequence": NSNull(),
            "usage": usage(completion.usage, full: true),
        ]
    }
}

/// The OpenAI chat completions format.
enum OpenAIChatWire {
    /// OpenAI's usage: prompt tokens include cached ones, completion tokens include reasoning.
    static func usage(_ usage: Usage) -> [String: Any] {
        let prompt = usage.totalInputTokens
        return [
            "prompt_tokens": prompt, "completion_tokens": usage.outputTokens, "total_tokens": prompt + usage.outputTokens,
            "prompt_tokens_details": ["cached_tokens": usage.cacheReadTokens],
            "completion_tokens_details": ["reasoning_tokens": usage.reasoningTokens],
        ]
    }

    static func finishReason(_ completion: SimulatedCompletion) -> String {
        completion.stopReason ?? (completion.toolCalls.isEmpty ? "stop" : "tool_calls")
    }

    static func events(_ completion: SimulatedCompletion, includeUsage: Bool) -> [OutgoingEvent] {
        func chunk(_ delta: [String: Any], finish: String? = nil) -> OutgoingEvent {
            OutgoingEvent(name: nil, data: jsonText([
                "id": completion.id, "object": "chat.completion.chunk", "created": 1_700_000_000,
                "model": completion.model ?? "",
                "choices": [["index": 0, "delta": delta, "finish_reason": finish as Any? ?? NSNull()] as [String: Any]],
            ]))
        }
        var events = [chunk(["role": "assistant", "content": ""])]
        for piece in completion.reasoningChunks { events.append(chunk(["reasoning_content": piece])) }
        for piece in completion.textChunks { events.append(chunk(["content": piece])) }
        for (index, call) in completion.toolCalls.enumerated() {
            events.append(chunk(["tool_calls": [[
                "index": index, "id": call.id, "type": "function", "function": ["name": call.name, "arguments": ""],
            ] as [String: Any]]]))
            for piece in call.argumentChunks {
                events.append(chunk(["tool_calls": [["index": index, "function": ["arguments": piece]] as [String: Any]]]))
            }
        }
        events.append(chunk([:], finish: finishReason(completion)))
        if includeUsage && completion.sendsUsage {
            events.append(OutgoingEvent(name: nil, data: jsonText([
                "id": completion.id, "object": "chat.completion.chunk", "created": 1_700_000_000,
                "model": completion.model ?? "", "choices": [Any](), "usage": usage(completion.usage),
            ])))
        }
        events.append(OutgoingEvent(name: nil, data: "[DONE]"))
        return events
    }

    static func completion(_ completion: SimulatedCompletion) -> [String: Any] {
        var message: [String: Any] = ["role": "assistant", "content": completion.textChunks.joined()]
        if !completion.toolCalls.isEmpty {
            message["tool_calls"] = completion.toolCalls.map { call -> [String: Any] in
                ["id": call.id, "type": "function", "function": ["name": call.name, "arguments": call.argumentChunks.joined()]]
            }
        }
        return [
            "id": completion.id, "object": "chat.completion", "created": 1_700_000_000, "model": completion.model ?? "",
            "choices": [["index": 0, "message": message, "finish_reason": finishReason(completion)] as [String: Any]],
            "usage": usage(completion.usage),
        ]
    }
}

/// The OpenAI Responses format.
enum ResponsesWire {
    static func usage(_ usage: Usage) -> [String: Any] {
        let input = usage.totalInputTokens
        return [
            "input_tokens": input, "input_tokens_details": ["cached_tokens": usage.cacheReadTokens],
            "output_tokens": usage.outputTokens, "output_tokens_details": ["reasoning_tokens": usage.reasoningTokens],
            "total_tokens": input + usage.outputTokens,
        ]
    }

    static func output(_ completion: SimulatedCompletion) -> [[String: Any]] {
        var output: [[String: Any]] = []
        let text = completion.textChunks.joined()
        if !text.isEmpty {
            output.append([
                "type": "message", "id": "msg_\(completion.id)", "role": "assistant", "status": "completed",
                "content": [["type": "output_text", "text": text, "annotations": [Any]()] as [String: Any]],
            ])
        }
        for call in completion.toolCalls {
            output.append([
                "type": "function_call", "id": "fc_\(call.id)", "call_id": call.id, "name": call.name,
                "arguments": call.argumentChunks.joined(), "status": "completed",
            ])
        }
        return output
    }

    static func response(_ completion: SimulatedCompletion, status: String, final: Bool = true) -> [String: Any] {
        var response: [String: Any] = [
            "id": completion.id, "object": "response", "created_at": 1_700_000_000, "model": completion.model ?? "",
            "status": status, "output": final ? output(completion) : [],
        ]
        if final {
            response["usage"] = usage(completion.usage)
            if status == "incomplete" { response["incomplete_details"] = ["reason": completion.stopReason ?? "max_output_tokens"] }
        }
        return response
    }

    static func events(_ completion: SimulatedCompletion) -> [OutgoingEvent] {
        var sequence = 0
        func event(_ name: String, _ object: [String: Any]) -> OutgoingEvent {
            var object = object
            object["type"] = name
            object["sequence_number"] = sequence
            sequence += 1
            return OutgoingEvent(name: name, data: jsonText(object))
        }
        var events = [event("response.created", ["response": response(completion, status: "in_progress", final: false)])]
        var outputIndex = 0
        if !completion.reasoningChunks.isEmpty {
            for piece in completion.reasoningChunks {
                events.append(event("response.reasoning_summary_text.delta", [
                    "item_id": "rs_\(completion.id)", "output_index": outputIndex, "summary_index": 0, "delta": piece,
                ]))
            }
            outputIndex += 1
        }
        if !completion.textChunks.isEmpty {
            let itemID = "msg_\(completion.id)"
            events.append(event("response.output_item.added", [
                "output_index": outputIndex,
                "item": ["type": "message", "id": itemID, "role": "assistant", "status": "in_progress", "content": [Any]()],
            ]))
            for piece in completion.textChunks {
                events.append(event("response.output_text.delta", [
                    "item_id": itemID, "output_index": outputIndex, "content_index": 0, "delta": piece,
                ]))
            }
            events.append(event("response.output_text.done", [
                "item_id": itemID, "output_index": outputIndex, "content_index": 0, "text": completion.textChunks.joined(),
            ]))
            outputIndex += 1
        }
        for call in completion.toolCalls {
            let itemID = "fc_\(call.id)"
            events.append(event("response.output_item.added", [
                "output_index": outputIndex,
                "item": ["type": "function_call", "id": itemID, "call_id": call.id, "name": call.name, "arguments": "", "status": "in_progress"],
            ]))
            for piece in call.argumentChunks {
                events.append(event("response.function_call_arguments.delta", [
                    "item_id": itemID, "output_index": outputIndex, "delta": piece,
                ]))
            }
            events.append(event("response.function_call_arguments.done", [
                "item_id": itemID, "output_index": outputIndex, "arguments": call.argumentChunks.joined(),
            ]))
            events.append(event("response.output_item.done", [
                "output_index": outputIndex,
                "item": ["type": "function_call", "id": itemID, "call_id": call.id, "name": call.name,
                         "arguments": call.argumentChunks.joined(), "status": "completed"],
            ]))
            outputIndex += 1
        }
        let terminal = completion.stopReason == nil ? "response.completed" : "response.incomplete"
        events.append(event(terminal, [
            "response": response(completion, status: completion.stopReason == nil ? "completed" : "incomplete"),
        ]))
        return events
    }
}

extension ProviderSimulator {
    /// The exact event stream the simulator sends for `completion` in `format`: for benchmarks
    /// and for tests that parse offline what the server would send.
    public static func eventStreamText(for completion: SimulatedCompletion, format: WireFormat, includeUsage: Bool = true) -> String {
        let events: [OutgoingEvent]
        switch format {
        case .anthropic: events = AnthropicWire.events(completion)
        case .openAIChat: events = OpenAIChatWire.events(completion, includeUsage: includeUsage)
        case .openAIResponses: events = ResponsesWire.events(completion)
        }
        return events.map(\.wireText).joined()
    }
}
