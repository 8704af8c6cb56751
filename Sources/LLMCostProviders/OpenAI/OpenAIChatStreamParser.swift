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

    mutating func consume(_ event: SSEEvent) throws(ProviderError) -> [StreamEvent] {
        if done { return [] }
        if event.data.trimmingCharacters(in: .whitespaces) == "[DONE]" {
            done = true
            return closeTools() + [.finished(stopReason: finishReason ?? .openAIChat("stop"), usage: usage)]
        }
        let chunk = try WireJSON.decode(OpenAIChatChunk.self, event.data, provider: provider, context: "a chat completion chunk")
        if let error = chunk.error {
            throw Self.streamError(error, provider: provider, requestID: requestID)
        }
        var events: [StreamEvent] = []
        if !started {
            started = true
            events.append(.started(StreamStart(requestID: requestID, messageID: chunk.id, model: chunk.model)))
        }
        for choice in chunk.choices ?? [] {
            if let delta = choice.delta {
                if let reasoning = delta.reasoning_content ?? delta.reasoning, !reasoning.isEmpty {
                    events.append(.reasoningDelta(reasoning))
                }
                if let content = delta.content, !content.isEmpty {
                    events.append(.textDelta(content))
                }
                for call in delta.tool_calls ?? [] {
                    events += toolCallDelta(call)
                }
            }
            if let reason = choice.finish_reason {
                finishReason = .openAIChat(reason)
                events += closeTools()
            }
        }
        if let u = chunk.usage {
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

    private mutating func toolCallDelta(_ call: OpenAIChatChunk.ToolCallDelta) -> [StreamEvent] {
        let wireIndex = call.index ?? 0
        var events: [StreamEvent] = []
        let ours: Int
        if let known = tools[wireIndex] {
            ours = known.index
        } else {
            ours = tools.count
            tools[wireIndex] = (ours, true)
            events.append(.toolCallStart(index: ours, id: call.id ?? "", name: call.function?.name ?? ""))
        }
        if let arguments = call.function?.arguments, !arguments.isEmpty {
            events.append(.toolCallArgumentsDelta(index: ours, delta: arguments))
        }
        return events
    }

    private mutating func closeTools() -> [StreamEvent] {
        let open = tools.filter { $0.value.open }.map(\.value.index).sorted()
        for key in tools.keys { tools[key]?.open = false }
        return open.map { .toolCallEnd(index: $0) }
    }

    /// An error object inside a stream (OpenRouter and others send `{"error":{...}}` mid-stream).
    static func streamError(_ error: OpenAIWireError, provider: String, requestID: String?) -> ProviderError {
        let status = error.status.flatMap { (400...599).contains($0) ? $0 : nil } ?? 500
        return .fromHTTPStatus(
            status, provider: provider, requestID: requestID, message: error.message ?? "error in stream",
            errorType: error.type ?? error.codeText, retryAfter: nil)
    }
}
