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
        let object = try WireJSON.event(event.data, provider: provider, context: "`\(event.event)` event")
        // The `type` member is authoritative; the SSE event name is the fallback.
        switch object["type"]?.string ?? event.event {
        case "message_start":
            let message = object["message"]
            start.messageID = message?["id"]?.string
            start.model = message?["model"]?.string
            var events: [StreamEvent] = [.started(start)]
            if let u = message?["usage"], u.isObject {
                usage.merge(u)
                events.append(.usage(usage.usage))
            }
            return events
        case "content_block_start":
            return contentBlockStart(object)
        case "content_block_delta":
            return contentBlockDelta(object)
        case "content_block_stop":
            guard let index = object["index"]?.int64.map(Int.init), case .toolUse(let tool)? = blocks[index] else { return [] }
            return [.toolCallEnd(index: tool)]
        case "message_delta":
            if let reason = object["delta"]?["stop_reason"]?.string { stopReason = .anthropic(reason) }
            guard let u = object["usage"], u.isObject else { return [] }
            usage.merge(u)
            return [.usage(usage.usage)]
        case "message_stop":
            stopped = true
            return [.finished(stopReason: stopReason ?? .anthropic("end_turn"), usage: usage.hasUsage ? usage.usage : nil)]
        case "error":
            throw streamError(object["error"])
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

    private mutating func contentBlockStart(_ object: WireValue) -> [StreamEvent] {
        guard let index = object["index"]?.int64.map(Int.init), let block = object["content_block"] else { return [] }
        switch block["type"]?.string {
        case "text":
            blocks[index] = .text
            let text = block["text"]?.string ?? ""
            return text.isEmpty ? [] : [.textDelta(text)]
        case "thinking":
            blocks[index] = .thinking
            let text = block["thinking"]?.string ?? ""
            return text.isEmpty ? [] : [.reasoningDelta(text)]
        case "tool_use":
            let tool = toolCount
            toolCount += 1
            blocks[index] = .toolUse(index: tool)
            return [.toolCallStart(index: tool, id: block["id"]?.string ?? "", name: block["name"]?.string ?? "")]
        case "fallback":
            blocks[index] = .other
            guard let model = block["to"]?["model"]?.string else { return [] }
            start.model = model
            return [.started(start)]
        default:
            // server_tool_use, web_search_tool_result, redacted_thinking, compaction, ...:
            // run by the server, billed through usage, not content for the caller.
            blocks[index] = .other
            return []
        }
    }

    private func contentBlockDelta(_ object: WireValue) -> [StreamEvent] {
        guard let index = object["index"]?.int64.map(Int.init), let delta = object["delta"] else { return [] }
        switch (delta["type"]?.string, blocks[index]) {
        case ("text_delta", _):
            return [.textDelta(delta["text"]?.string ?? "")]
        case ("thinking_delta", _):
            return [.reasoningDelta(delta["thinking"]?.string ?? "")]
        case ("input_json_delta", .toolUse(let tool)?):
            let partial = delta["partial_json"]?.string ?? ""
            return partial.isEmpty ? [] : [.toolCallArgumentsDelta(index: tool, delta: partial)]
        default:
            return []
        }
    }

    /// An `error` event mid-stream, e.g. `{"type":"error","error":{"type":"overloaded_error",...}}`.
    private func streamError(_ error: WireValue?) -> ProviderError {
        let type = error?["type"]?.nonEmptyString ?? "error"
        let message = error?["message"]?.nonEmptyString ?? type
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
        return .fromHTTPStatus(status, provider: provider, requestID: requestID, message: message, errorType: type, retryAfter: nil, inStream: true)
    }
}
