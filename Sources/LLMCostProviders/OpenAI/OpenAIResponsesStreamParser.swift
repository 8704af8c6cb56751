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
        let object = try WireJSON.event(event.data, provider: provider, context: "`\(event.event)` event")
        let type = object["type"]?.string ?? event.event
        var events: [StreamEvent] = []
        if !started, let response = object["response"] {
            started = true
            events.append(.started(StreamStart(
                requestID: requestID, messageID: response["id"]?.string, model: response["model"]?.string)))
        }
        switch type {
        case "response.output_text.delta":
            if let delta = object["delta"]?.string, !delta.isEmpty { events.append(.textDelta(delta)) }
        case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
            if let delta = object["delta"]?.string, !delta.isEmpty { events.append(.reasoningDelta(delta)) }
        case "response.output_item.added":
            guard let item = object["item"], item["type"]?.string == "function_call"
            else { break }
            let index = tools.count
            if let id = item["id"]?.string { tools[id] = index }
            if let position = object["output_index"]?.int64 { toolsByOutputIndex[Int(position)] = index }
            events.append(.toolCallStart(
                index: index, id: item["call_id"]?.string ?? item["id"]?.string ?? "",
                name: item["name"]?.string ?? ""))
            if let arguments = item["arguments"]?.string, !arguments.isEmpty {
                events.append(.toolCallArgumentsDelta(index: index, delta: arguments))
            }
        case "response.function_call_arguments.delta":
            if let index = toolIndex(object), let delta = object["delta"]?.string, !delta.isEmpty {
                events.append(.toolCallArgumentsDelta(index: index, delta: delta))
            }
        case "response.output_item.done":
            if let item = object["item"], item["type"]?.string == "function_call",
                let index = item["id"]?.string.flatMap({ tools[$0] }) ?? toolIndex(object)
            {
                events.append(.toolCallEnd(index: index))
            }
        case "response.completed", "response.incomplete":
            done = true
            let response = object["response"] ?? .null
            let usage = response["usage"].flatMap { $0.isObject ? OpenAIUsage.responses($0) : nil }
            if let usage { events.append(.usage(usage)) }
            events.append(.finished(stopReason: stopReason(type: type, response: response), usage: usage))
        case "response.failed":
            let response = object["response"] ?? .null
            throw failure(response["error"] ?? .null)
        case "error":
            throw failure(object["error"] ?? object)
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

    private func toolIndex(_ object: WireValue) -> Int? {
        if let id = object["item_id"]?.string, let index = tools[id] { return index }
        return object["output_index"]?.int64.flatMap { toolsByOutputIndex[Int($0)] }
    }

    private func stopReason(type: String, response: WireValue) -> StopReason {
        if type == "response.incomplete" {
            let reason = response["incomplete_details"]?["reason"]?.string ?? "incomplete"
            switch reason {
            case "max_output_tokens": return StopReason(kind: .maxTokens, raw: reason)
            case "content_filter": return StopReason(kind: .contentFilter, raw: reason)
            default: return StopReason(kind: .other, raw: reason)
            }
        }
        return tools.isEmpty ? StopReason(kind: .endTurn, raw: "completed") : StopReason(kind: .toolUse, raw: "completed")
    }

    private func failure(_ error: WireValue) -> ProviderError {
        let code = error["code"]?.nonEmptyString ?? error["type"]?.nonEmptyString
        let message = error["message"]?.nonEmptyString ?? code ?? "the response failed"
        let status: Int
        switch code {
        case "rate_limit_exceeded": status = 429
        case "invalid_prompt", "invalid_request_error": status = 400
        case "server_error", nil: status = 500
        default: status = 500
        }
        return .fromHTTPStatus(status, provider: provider, requestID: requestID, message: message, errorType: code, retryAfter: nil, inStream: true)
    }
}
