import Foundation
import LLMCostCore

/// `llm-cost prompt`: one request to a named provider, the reply streamed to a sink, and a
/// usage summary. Kept out of the CLI so the metering layer can take over the call later:
/// that is the `call` hook, which by default calls the provider directly.
public struct PromptRunner: Sendable {
    public struct Options: Sendable {
        public var provider: String
        public var model: String?
        public var system: String?
        public var maxTokens: Int?
        public var text: String
        public var context: MeteringContext

        public init(provider: String, model: String? = nil, system: String? = nil, maxTokens: Int? = nil, text: String,
                    context: MeteringContext = MeteringContext()) {
            self.provider = provider
            self.model = model
            self.system = system
            self.maxTokens = maxTokens
            self.text = text
            self.context = context
        }
    }

    /// What a prompt produced.
    public struct Outcome: Sendable {
        public var provider: String
        public var model: String
        public var response: ChatResponse
        public var latency: Duration
        public var timeToFirstToken: Duration?
        /// The record the ledger would get (the metering layer will write it).
        public var record: CallRecord
        /// The cost, when a pricing hook priced it.
        public var quote: PriceQuote?
    }

    public var registry: ProviderRegistry
    /// Prices the call for the summary; `nil` until the pricing table is wired in.
    public var pricing: (any CallPricing)?

    public init(registry: ProviderRegistry, pricing: (any CallPricing)? = nil) {
        self.registry = registry
        self.pricing = pricing
    }

    /// Sends the prompt; `onText` gets each text delta as it arrives.
    public func run(_ options: Options, onText: @Sendable (String) -> Void) async throws -> Outcome {
        let provider = try registry.provider(named: options.provider)
        let request = ChatRequest(
            model: options.model, system: options.system, messages: [.user(options.text)], maxTokens: options.maxTokens)
        let clock = ContinuousClock()
        let started = clock.now
        let timestamp = Date()
        var firstToken: Duration?
        var accumulator = ResponseAccumulator()
        for try await event in provider.stream(request) {
            if case .textDelta(let text) = event {
                if firstToken == nil { firstToken = clock.now - started }
                onText(text)
            }
            accumulator.apply(event)
        }
        guard let response = accumulator.response else {
            throw ProviderError.cancelled(provider: provider.name, requestID: accumulator.start.requestID)
        }
        let latency = clock.now - started
        // Through a router, the call is the candidate's that served it.
        let servedBy = response.route?.provider ?? provider.name
        let model = response.route?.model ?? options.model ?? provider.defaultModel
        let record = CallRecord(
            timestamp: timestamp, provider: servedBy, model: model, agent: options.context.agent,
            session: options.context.session, tags: options.context.tags, requestID: response.requestID,
            usage: response.usage ?? .zero, usageSource: response.usage == nil ? .estimated : .reported,
            latencyMilliseconds: latency.milliseconds, timeToFirstTokenMilliseconds: firstToken?.milliseconds)
        let quote = pricing?.quote(for: record)
        return Outcome(
            provider: servedBy, model: model, response: response, latency: latency, timeToFirstToken: firstToken,
            record: record, quote: quote)
    }
}


extension PromptRunner.Outcome {
    /// The one-line summary for stderr, for example
    /// `anthropic/claude-sonnet-4-5 · in 12 (+3 cache read, +4 cache write) · out 6 (2 reasoning) · cost unpriced · 812 ms · req_01`.
    public var summaryLine: String {
        var parts = ["\(provider)/\(response.model ?? model)"]
        if let route = response.route {
            parts[0] += " via \(route.router)" + (route.attempt > 1 ? " (attempt \(route.attempt))" : "")
        }
        if let usage = response.usage {
            var input = "in \(usage.inputTokens)"
            var extras: [String] = []
            if usage.cacheReadTokens > 0 { extras.append("+\(usage.cacheReadTokens) cache read") }
            if usage.cacheWriteTokens > 0 { extras.append("+\(usage.cacheWriteTokens) cache write") }
            if !extras.isEmpty { input += " (\(extras.joined(separator: ", ")))" }
            parts.append(input)
            parts.append("out \(usage.outputTokens)" + (usage.reasoningTokens > 0 ? " (\(usage.reasoningTokens) reasoning)" : ""))
            if usage.webSearchRequests > 0 { parts.append("\(usage.webSearchRequests) web searches") }
        } else {
            parts.append("usage not reported")
        }
        parts.append(quote.map { "cost \($0.cost.formatted(places: 6))" } ?? "cost unpriced")
        parts.append("\(latency.milliseconds) ms")
        if let id = response.requestID { parts.append(id) }
        return parts.joined(separator: " · ")
    }

    /// The outcome as one JSON object (`--format json`).
    public var json: String {
        let usage = response.usage
        var object: [String: Any] = [
            "provider": provider, "model": response.model ?? model, "text": response.text,
            "stop_reason": response.stopReason.raw, "latency_ms": latency.milliseconds,
            "tool_calls": response.toolCalls.map { ["id": $0.id, "name": $0.name, "arguments": $0.arguments] },
            "usage_source": usage == nil ? "estimated" : "reported",
        ]
        if let id = response.requestID { object["request_id"] = id }
        if let route = response.route {
            object["router"] = route.router
            object["router_attempt"] = route.attempt
        }
        if let usage {
            object["usage"] = [
                "input_tokens": usage.inputTokens, "output_tokens": usage.outputTokens,
                "cache_read_tokens": usage.cacheReadTokens, "cache_write_5m_tokens": usage.cacheWrite5mTokens,
                "cache_write_1h_tokens": usage.cacheWrite1hTokens, "reasoning_tokens": usage.reasoningTokens,
                "web_search_requests": usage.webSearchRequests,
            ]
        }
        object["cost_usd"] = quote.map { $0.cost.decimalString } ?? NSNull()
        return String(decoding: WireJSON.data(object), as: UTF8.self)
    }
}
