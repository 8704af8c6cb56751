import LLMCostCore

/// Reads Anthropic Messages stream events (`message_start`, `content_block_start|delta|stop`,
/// `message_delta`, `message_stop`, `ping`, `error`) into `StreamEvent`s.
///
/// Unknown event and block types are skipped, so new server features (compaction blocks,
/// fallback credits, ...) do not break metering. A `fallback` block relabels the model that
/// actually served the reply, and is reported as a second `started` event with that model.
struct AnthropicStreamParser: WireStreamParser {
    private enum Block {
        case text
        case thinking
        case toolUse(index: Int)
        case other
    }

    let provider: String
    let requestID: String?
    private var start = StreamStart()
    private var usage = AnthropicUsageTracker()
    private var blocks: [Int: Block] = [:]
    private var toolCount = 0
    private var stopReason: StopReason?
    private var stopped = false

    init(provider: String, requestID: String?) {
        self.provider = provider
        self.requestID = requestID
        start.requestID = requestID
    }

    mutating func consume(_ event: SSEEvent) throws(ProviderError) -> [StreamEvent] {
        if stopped || event.event == "ping" { return [] }
        let object = try WireJSON.object(event.data, provider: provider, context: "`\(event.event)` event")
        // The `type` member is authoritative; the SSE event name is the fallback.
        let type = WireJSON.string(object["type"]) ?? event.event
        switch type {
        case "message_start":
            let message = WireJSON.dictionary(object["message"]) ?? [:]
            start.messageID = WireJSON.string(message["id"])
            start.model = WireJSON.string(message["model"])
            var events: [StreamEvent] = [.started(start)]
            if let u = WireJSON.dictionary(message["usage"]) {
                usage.merge(u)
                events.append(.usage(usage.usage))
            }
            return events
        case "content_block_start":
            return contentBlockStart(object)
        case "content_block_delta":
            return contentBlockDelta(object)
        case "content_block_stop":
            guard let index = WireJSON.int(object["index"]).map(Int.init), case .toolUse(let tool)? = blocks[index]
            else { return [] }
            return [.toolCallEnd(index: tool)]
        case "message_delta":
            if let delta = WireJSON.dictionary(object["delta"]), let reason = WireJSON.string(delta["stop_reason"]) {
                stopReason = .anthropic(reason)
            }
            guard let u = WireJSON.dictionary(object["usage"]) else { return [] }
            usage.merge(u)
            return [.usage(usage.usage)]
        case "message_stop":
            stopped = true
            return [.finished(stopReason: stopReason ?? .anthropic("end_turn"), usage: usage.hasUsage ? usage.usage : nil)]
        case "error":
            throw streamError(object)
        default:
            return []
        }
    }

    mutating func finish() throws(ProviderError) -> [StreamEvent] {
        guard stopped else {
            throw ProviderError.network(
                provider: provider, requestID: requestID,
                message: "the stream ended before `message_stop`: the reply was cut off")
        }
        return []
    }

    private mutating func contentBlockStart(_ object: [String: Any]) -> [StreamEvent] {
        guard let index = WireJSON.int(object["index"]).map(Int.init),
            let block = WireJSON.dictionary(object["content_block"])
        else { return [] }
        switch WireJSON.string(block["type"]) {
        case "text":
            blocks[index] = .text
            let text = WireJSON.string(block["text"]) ?? ""
            return text.isEmpty ? [] : [.textDelta(text)]
        case "thinking":
            blocks[index] = .thinking
            let text = WireJSON.string(block["thinking"]) ?? ""
            return text.isEmpty ? [] : [.reasoningDelta(text)]
        case "tool_use":
            let tool = toolCount
            toolCount += 1
            blocks[index] = .toolUse(index: tool)
            return [.toolCallStart(
                index: tool, id: WireJSON.string(block["id"]) ?? "", name: WireJSON.string(block["name"]) ?? "")]
        case "fallback":
            blocks[index] = .other
            guard let to = WireJSON.dictionary(block["to"]), let model = WireJSON.string(to["model"]) else { return [] }
            start.model = model
            return [.started(start)]
        default:
            // server_tool_use, web_search_tool_result, redacted_thinking, compaction, ...:
            // run by the server, billed through usage, not content for the caller.
            blocks[index] = .other
            return []
        }
    }

    private func contentBlockDelta(_ object: [String: Any]) -> [StreamEvent] {
        guard let index = WireJSON.int(object["index"]).map(Int.init),
            let delta = WireJSON.dictionary(object["delta"])
        else { return [] }
        switch (WireJSON.string(delta["type"]), blocks[index]) {
        case ("text_delta", _):
            return [.textDelta(WireJSON.string(delta["text"]) ?? "")]
        case ("thinking_delta", _):
            return [.reasoningDelta(WireJSON.string(delta["thinking"]) ?? "")]
        case ("input_json_delta", .toolUse(let tool)?):
            let partial = WireJSON.string(delta["partial_json"]) ?? ""
            return partial.isEmpty ? [] : [.toolCallArgumentsDelta(index: tool, delta: partial)]
        default:
            return []
        }
    }

    /// An `error` event mid-stream, e.g. `{"type":"error","error":{"type":"overloaded_error",...}}`.
    private func streamError(_ object: [String: Any]) -> ProviderError {
        let error = WireJSON.dictionary(object["error"]) ?? [:]
        let type = WireJSON.string(error["type"]) ?? "error"
        let message = WireJSON.string(error["message"]) ?? type
        let status: Int
        switch type {
        case "overloaded_error": status = 529
        case "rate_limit_error": status = 429
        case "authentication_error": status = 401
        case "permission_error": status = 403
        case "not_found_error": status = 404
        case "invalid_request_error", "request_too_large": status = 400
        case "timeout_error": status = 504
        default: status = 500
        }
        return .fromHTTPStatus(status, provider: provider, requestID: requestID, message: message, errorType: type, retryAfter: nil)
    }
}
