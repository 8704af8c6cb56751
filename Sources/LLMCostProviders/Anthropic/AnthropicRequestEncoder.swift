import Foundation

/// Builds the JSON body of a Messages API request (`POST /v1/messages`).
enum AnthropicRequestEncoder {
    /// Anthropic requires `max_tokens`; this is used when the request sets none.
    static let defaultMaxTokens = 1024
    /// The beta an OAuth (subscription) login needs.
    static let oauthBeta = "oauth-2025-04-20"
    /// The beta the web fetch tool needs.
    static let webFetchBeta = "web-fetch-2025-09-10"

    /// The `anthropic-beta` values the request's features need (besides authentication's).
    static func betas(for request: ChatRequest) -> [String] {
        request.serverTools.contains { $0.kind == .webFetch } ? [webFetchBeta] : []
    }

    static func body(for request: ChatRequest, model: String, stream: Bool) -> [String: Any] {
        var cachedMessages: [Int: [String: Any]] = [:]
        var systemCache: [String: Any]?
        var toolsCache: [String: Any]?
        for breakpoint in request.cacheBreakpoints {
            let control = cacheControl(breakpoint.ttl)
            switch breakpoint.position {
            case .tools: toolsCache = control
            case .system: systemCache = control
            case .message(let index): cachedMessages[index] = control
            }
        }
        var body: [String: Any] = [
            "model": model,
            "max_tokens": request.maxTokens ?? defaultMaxTokens,
            "messages": messages(request.messages, cacheControls: cachedMessages),
        ]
        if stream { body["stream"] = true }
        if let system = request.system, !system.isEmpty {
            if let systemCache {
                body["system"] = [["type": "text", "text": system, "cache_control": systemCache]]
            } else {
                body["system"] = system
            }
        }
        if let temperature = request.temperature { body["temperature"] = temperature }
        if !request.stopSequences.isEmpty { body["stop_sequences"] = request.stopSequences }
        if let budget = request.reasoningBudgetTokens {
            body["thinking"] = ["type": "enabled", "budget_tokens": budget]
        }
        if let user = request.metadata["user_id"] { body["metadata"] = ["user_id": user] }
        var tools = request.tools.map { tool -> [String: Any] in
            var entry: [String: Any] = ["name": tool.name, "input_schema": tool.parameters.foundationValue]
            if let description = tool.description { entry["description"] = description }
            return entry
        }
        for tool in request.serverTools {
            var entry: [String: Any]
            switch tool.kind {
            case .webSearch: entry = ["type": "web_search_20250305", "name": "web_search"]
            case .webFetch: entry = ["type": "web_fetch_20250910", "name": "web_fetch"]
            }
            if let maxUses = tool.maxUses { entry["max_uses"] = maxUses }
            if let maxContentTokens = tool.maxContentTokens, tool.kind == .webFetch { entry["max_content_tokens"] = maxContentTokens }
            tools.append(entry)
        }
        // The breakpoint goes on the last tool: the cached prefix is every tool definition.
        if let toolsCache, !tools.isEmpty { tools[tools.count - 1]["cache_control"] = toolsCache }
        if !tools.isEmpty { body["tools"] = tools }
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

    /// `{"type": "ephemeral"}`, with `"ttl": "1h"` for an hour (5 minutes is the default).
    static func cacheControl(_ ttl: CacheBreakpoint.TTL) -> [String: Any] {
        ttl == .oneHour ? ["type": "ephemeral", "ttl": "1h"] : ["type": "ephemeral"]
    }

    /// Our messages as Anthropic turns. Tool results travel in `user` turns, and consecutive
    /// turns of one role are merged, because the API wants roles to alternate. A message with
    /// a cache breakpoint gets `cache_control` on its last block.
    static func messages(_ messages: [ChatMessage], cacheControls: [Int: [String: Any]] = [:]) -> [[String: Any]] {
        var turns: [(role: String, blocks: [[String: Any]])] = []
        func appendTurn(_ role: String, _ blocks: [[String: Any]]) {
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        for (index, message) in messages.enumerated() {
            func append(_ role: String, _ blocks: [[String: Any]]) {
                var blocks = blocks
                if let control = cacheControls[index], !blocks.isEmpty { blocks[blocks.count - 1]["cache_control"] = control }
                appendTurn(role, blocks)
            }
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
