import LLMCostCore

/// Reads OpenAI Responses API stream events: `response.created`, `response.output_item.added`,
/// `response.output_text.delta`, `response.function_call_arguments.delta`,
/// `response.output_item.done`, and the terminal `response.completed`, `response.incomplete` or
/// `response.failed` (whose `response.usage` is the usage), or an `error` event.
struct OpenAIResponsesStreamParser: WireStreamParser {
    let provider: String
    let requestID: String?
    /// Function call item id → our tool index.
    private var tools: [String: Int] = [:]
    /// Output index → our tool index, for servers that key deltas by position only.
    private var toolsByOutputIndex: [Int: Int] = [:]
    private var started = false
    private var done = false

    init(provider: String, requestID: String?) {
        self.provider = provider
        self.requestID = requestID
    }

    mutating func consume(_ event: SSEEvent) throws(ProviderError) -> [StreamEvent] {
        if done { return [] }
        let object = try WireJSON.object(event.data, provider: provider, context: "`\(event.event)` event")
        let type = WireJSON.string(object["type"]) ?? event.event
        var events: [StreamEvent] = []
        if !started, let response = WireJSON.dictionary(object["response"]) {
            started = true
            events.append(.started(StreamStart(
                requestID: requestID, messageID: WireJSON.string(response["id"]), model: WireJSON.string(response["model"]))))
        }
        switch type {
        case "response.output_text.delta":
            if let delta = WireJSON.string(object["delta"]), !delta.isEmpty { events.append(.textDelta(delta)) }
        case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
            if let delta = WireJSON.string(object["delta"]), !delta.isEmpty { events.append(.reasoningDelta(delta)) }
        case "response.output_item.added":
            guard let item = WireJSON.dictionary(object["item"]), WireJSON.string(item["type"]) == "function_call"
            else { break }
            let index = tools.count
            if let id = WireJSON.string(item["id"]) { tools[id] = index }
            if let position = WireJSON.int(object["output_index"]) { toolsByOutputIndex[Int(position)] = index }
            events.append(.toolCallStart(
                index: index, id: WireJSON.string(item["call_id"]) ?? WireJSON.string(item["id"]) ?? "",
                name: WireJSON.string(item["name"]) ?? ""))
            if let arguments = WireJSON.string(item["arguments"]), !arguments.isEmpty {
                events.append(.toolCallArgumentsDelta(index: index, delta: arguments))
            }
        case "response.function_call_arguments.delta":
            if let index = toolIndex(object), let delta = WireJSON.string(object["delta"]), !delta.isEmpty {
                events.append(.toolCallArgumentsDelta(index: index, delta: delta))
            }
        case "response.output_item.done":
            if let item = WireJSON.dictionary(object["item"]), WireJSON.string(item["type"]) == "function_call",
                let index = WireJSON.string(item["id"]).flatMap({ tools[$0] }) ?? toolIndex(object)
            {
                events.append(.toolCallEnd(index: index))
            }
        case "response.completed", "response.incomplete":
            done = true
            let response = WireJSON.dictionary(object["response"]) ?? [:]
            let usage = WireJSON.dictionary(response["usage"]).map(OpenAIUsage.responses)
            if let usage { events.append(.usage(usage)) }
            events.append(.finished(stopReason: stopReason(type: type, response: response), usage: usage))
        case "response.failed":
            let response = WireJSON.dictionary(object["response"]) ?? [:]
            throw failure(WireJSON.dictionary(response["error"]) ?? [:])
        case "error":
            throw failure(WireJSON.dictionary(object["error"]) ?? object)
        default:
            break
        }
        return events
    }

    mutating func finish() throws(ProviderError) -> [StreamEvent] {
        guard done else {
            throw ProviderError.network(
                provider: provider, requestID: requestID,
                message: "the stream ended before `response.completed`: the reply was cut off")
        }
        return []
    }

    private func toolIndex(_ object: [String: Any]) -> Int? {
        if let id = WireJSON.string(object["item_id"]), let index = tools[id] { return index }
        return WireJSON.int(object["output_index"]).flatMap { toolsByOutputIndex[Int($0)] }
    }

    private func stopReason(type: String, response: [String: Any]) -> StopReason {
        if type == "response.incomplete" {
            let reason = WireJSON.dictionary(response["incomplete_details"]).flatMap { WireJSON.string($0["reason"]) } ?? "incomplete"
            switch reason {
            case "max_output_tokens": return StopReason(kind: .maxTokens, raw: reason)
            case "content_filter": return StopReason(kind: .contentFilter, raw: reason)
            default: return StopReason(kind: .other, raw: reason)
            }
        }
        return tools.isEmpty ? StopReason(kind: .endTurn, raw: "completed") : StopReason(kind: .toolUse, raw: "completed")
    }

    private func failure(_ error: [String: Any]) -> ProviderError {
        let code = WireJSON.string(error["code"]) ?? WireJSON.string(error["type"])
        let message = WireJSON.string(error["message"]) ?? code ?? "the response failed"
        let status: Int
        switch code {
        case "rate_limit_exceeded": status = 429
        case "invalid_prompt", "invalid_request_error": status = 400
        case "server_error", nil: status = 500
        default: status = 500
        }
        return .fromHTTPStatus(status, provider: provider, requestID: requestID, message: message, errorType: code, retryAfter: nil)
    }
}
