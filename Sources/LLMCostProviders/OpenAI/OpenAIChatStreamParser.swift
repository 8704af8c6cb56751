import LLMCostCore

/// Reads OpenAI chat completion chunks (`data: {...}` lines, then `data: [DONE]`).
///
/// Tool calls arrive as deltas keyed by `index`: the first delta of an index carries `id` and
/// `function.name`, later ones `function.arguments` pieces. Usage arrives in a last chunk with
/// `choices: []` when the request asked for it; OpenAI-compatible servers may send it on every
/// chunk or report 0 first, so the last usage seen wins.
struct OpenAIChatStreamParser: WireStreamParser {
    let provider: String
    let requestID: String?
    private var started = false
    /// OpenAI's tool call index → ours, and whether it is still open.
    private var tools: [Int: (index: Int, open: Bool)] = [:]
    private var finishReason: StopReason?
    private var usage: Usage?
    private var done = false

    init(provider: String, requestID: String?) {
        self.provider = provider
        self.requestID = requestID
    }

    /// `[DONE]`, the end of a chat stream, spaces around it allowed. Checked on the bytes:
    /// this runs for every event, and Foundation's character-set trimming costs far more.
    static func isDoneSentinel(_ data: String) -> Bool {
        let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        let bytes = data.utf8
        guard bytes.count <= 64 else { return false }
        let trimmed = bytes.drop(while: isBlank).reversed().drop(while: isBlank).reversed()
        return trimmed.elementsEqual("[DONE]".utf8)
    }

    mutating func consume(_ event: SSEEvent) throws(ProviderError) -> [StreamEvent] {
        if done { return [] }
        if Self.isDoneSentinel(event.data) {
            done = true
            return closeTools() + [.finished(stopReason: finishReason ?? .openAIChat("stop"), usage: usage)]
        }
        let chunk = try WireJSON.event(event.data, provider: provider, context: "a chat completion chunk")
        if let error = chunk["error"], error != .null {
            throw Self.streamError(error, provider: provider, requestID: requestID)
        }
        var events: [StreamEvent] = []
        if !started {
            started = true
            events.append(.started(StreamStart(requestID: requestID, messageID: chunk["id"]?.string, model: chunk["model"]?.string)))
        }
        for choice in chunk["choices"]?.array ?? [] {
            if let delta = choice["delta"] {
                // `reasoning_content` (DeepSeek, vLLM) or `reasoning` (OpenRouter).
                if let reasoning = delta["reasoning_content"]?.string ?? delta["reasoning"]?.string, !reasoning.isEmpty {
                    events.append(.reasoningDelta(reasoning))
                }
                if let content = delta["content"]?.string, !content.isEmpty {
                    events.append(.textDelta(content))
                }
                for call in delta["tool_calls"]?.array ?? [] {
                    events += toolCallDelta(call)
                }
            }
            if let reason = choice["finish_reason"]?.string {
                finishReason = .openAIChat(reason)
                events += closeTools()
            }
        }
        if let u = chunk["usage"], u.isObject {
            let converted = OpenAIUsage.chat(u)
            usage = converted
            events.append(.usage(converted))
        }
        return events
    }

    mutating func finish() throws(ProviderError) -> [StreamEvent] {
        if done { return [] }
        // Some compatible servers close without `[DONE]`; a finish reason still marks a whole reply.
        guard let finishReason else {
            throw ProviderError.network(
                provider: provider, requestID: requestID,
                message: "the stream ended before a finish reason or [DONE]: the reply was cut off")
        }
        done = true
        return closeTools() + [.finished(stopReason: finishReason, usage: usage)]
    }

    private mutating func toolCallDelta(_ call: WireValue) -> [StreamEvent] {
        let wireIndex = call["index"]?.int64.map(Int.init) ?? 0
        var events: [StreamEvent] = []
        let ours: Int
        if let known = tools[wireIndex] {
            ours = known.index
        } else {
            ours = tools.count
            tools[wireIndex] = (ours, true)
            events.append(.toolCallStart(index: ours, id: call["id"]?.string ?? "", name: call["function"]?["name"]?.string ?? ""))
        }
        if let arguments = call["function"]?["arguments"]?.string, !arguments.isEmpty {
            events.append(.toolCallArgumentsDelta(index: ours, delta: arguments))
        }
        return events
    }

    private mutating func closeTools() -> [StreamEvent] {
        let open = tools.filter { $0.value.open }.map(\.value.index).sorted()
        for key in tools.keys { tools[key]?.open = false }
        return open.map { .toolCallEnd(index: $0) }
    }

    /// An error inside a stream: OpenRouter and others send `{"error":{"message":..,"code":429}}`
    /// mid-stream, some servers `{"error":"text"}`.
    static func streamError(_ error: WireValue, provider: String, requestID: String?) -> ProviderError {
        let message = error["message"]?.nonEmptyString ?? error.nonEmptyString ?? "error in stream"
        let status = error["code"]?.int64.map(Int.init).flatMap { (400...599).contains($0) ? $0 : nil } ?? 500
        let type = error["type"]?.string ?? error["code"]?.string
        return .fromHTTPStatus(status, provider: provider, requestID: requestID, message: message, errorType: type, retryAfter: nil, inStream: true)
    }
}
