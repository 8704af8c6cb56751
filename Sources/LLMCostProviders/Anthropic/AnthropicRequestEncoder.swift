import Foundation

/// Builds the JSON body of a Messages API request (`POST /v1/messages`).
enum AnthropicRequestEncoder {
    /// Anthropic requires `max_tokens`; this is used when the request sets none.
    static let defaultMaxTokens = 1024

    static func body(for request: ChatRequest, model: String, stream: Bool) -> [String: Any] {
        var body: [String: Any] = [
            "model": model,
            "max_tokens": request.maxTokens ?? defaultMaxTokens,
            "messages": messages(request.messages),
        ]
        if stream { body["stream"] = true }
        if let system = request.system, !system.isEmpty { body["system"] = system }
        if let temperature = request.temperature { body["temperature"] = temperature }
        if !request.stopSequences.isEmpty { body["stop_sequences"] = request.stopSequences }
        if let budget = request.reasoningBudgetTokens {
            body["thinking"] = ["type": "enabled", "budget_tokens": budget]
        }
        if let user = request.metadata["user_id"] { body["metadata"] = ["user_id": user] }
        if !request.tools.isEmpty {
            body["tools"] = request.tools.map { tool -> [String: Any] in
                var entry: [String: Any] = ["name": tool.name, "input_schema": tool.parameters.foundationValue]
                if let description = tool.description { entry["description"] = description }
                return entry
            }
        }
        if let choice = request.toolChoice {
            switch choice {
            case .auto: body["tool_choice"] = ["type": "auto"]
            case .none: body["tool_choice"] = ["type": "none"]
            case .required: body["tool_choice"] = ["type": "any"]
            case .tool(let name): body["tool_choice"] = ["type": "tool", "name": name]
            }
        }
        return body
    }

    /// Our messages as Anthropic turns. Tool results travel in `user` turns, and consecutive
    /// turns of one role are merged, because the API wants roles to alternate.
    static func messages(_ messages: [ChatMessage]) -> [[String: Any]] {
        var turns: [(role: String, blocks: [[String: Any]])] = []
        func append(_ role: String, _ blocks: [[String: Any]]) {
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        for message in messages {
            switch message {
            case .user(let parts):
                append("user", parts.map(block))
            case .assistant(let text, let toolCalls):
                var blocks: [[String: Any]] = text.isEmpty ? [] : [["type": "text", "text": text]]
                for call in toolCalls {
                    blocks.append([
                        "type": "tool_use", "id": call.id, "name": call.name,
                        "input": (call.parsedArguments ?? .object([:])).foundationValue,
                    ])
                }
                append("assistant", blocks)
            case .toolResult(let callID, let content, let isError):
                var block: [String: Any] = ["type": "tool_result", "tool_use_id": callID, "content": content]
                if isError { block["is_error"] = true }
                append("user", [block])
            }
        }
        return turns.map { ["role": $0.role, "content": $0.blocks] }
    }

    private static func block(_ part: ContentPart) -> [String: Any] {
        switch part {
        case .text(let text): return ["type": "text", "text": text]
        case .imageBase64(let mediaType, let data):
            return ["type": "image", "source": ["type": "base64", "media_type": mediaType, "data": data]]
        case .imageURL(let url):
            return ["type": "image", "source": ["type": "url", "url": url]]
        }
    }
}
