/// Builds the JSON body of a chat completions request.
enum OpenAIChatRequestEncoder {
    /// `maxTokensField`: OpenAI deprecated `max_tokens` for `max_completion_tokens`; most
    /// compatible servers still only read `max_tokens`.
    static func body(for request: ChatRequest, model: String, stream: Bool, maxTokensField: String) -> [String: Any] {
        var messages: [[String: Any]] = []
        if let system = request.system, !system.isEmpty { messages.append(["role": "system", "content": system]) }
        for message in request.messages {
            switch message {
            case .user(let parts):
                if parts.count == 1, case .text(let text) = parts[0] {
                    messages.append(["role": "user", "content": text])
                } else {
                    messages.append(["role": "user", "content": parts.map(contentPart)])
                }
            case .assistant(let text, let toolCalls):
                var entry: [String: Any] = ["role": "assistant", "content": text]
                if !toolCalls.isEmpty {
                    entry["tool_calls"] = toolCalls.map { call -> [String: Any] in
                        ["id": call.id, "type": "function", "function": ["name": call.name, "arguments": call.arguments]]
                    }
                }
                messages.append(entry)
            case .toolResult(let callID, let content, _):
                messages.append(["role": "tool", "tool_call_id": callID, "content": content])
            }
        }
        var body: [String: Any] = ["model": model, "messages": messages]
        if stream {
            body["stream"] = true
            // Without this, a streamed reply carries no usage at all.
            body["stream_options"] = ["include_usage": true]
        }
        if let maxTokens = request.maxTokens { body[maxTokensField] = maxTokens }
        if let temperature = request.temperature { body["temperature"] = temperature }
        if !request.stopSequences.isEmpty { body["stop"] = request.stopSequences }
        if let effort = request.reasoningEffort { body["reasoning_effort"] = effort }
        if !request.tools.isEmpty {
            body["tools"] = request.tools.map { tool -> [String: Any] in
                var function: [String: Any] = ["name": tool.name, "parameters": tool.parameters.foundationValue]
                if let description = tool.description { function["description"] = description }
                return ["type": "function", "function": function]
            }
        }
        if let choice = request.toolChoice {
            switch choice {
            case .auto: body["tool_choice"] = "auto"
            case .none: body["tool_choice"] = "none"
            case .required: body["tool_choice"] = "required"
            case .tool(let name): body["tool_choice"] = ["type": "function", "function": ["name": name]]
            }
        }
        return body
    }

    private static func contentPart(_ part: ContentPart) -> [String: Any] {
        switch part {
        case .text(let text): return ["type": "text", "text": text]
        case .imageBase64(let mediaType, let data):
            return ["type": "image_url", "image_url": ["url": "data:\(mediaType);base64,\(data)"]]
        case .imageURL(let url): return ["type": "image_url", "image_url": ["url": url]]
        }
    }
}
