import LLMCostCore

/// A model provider: one interface over Anthropic, OpenAI and the OpenAI-compatible family.
///
/// Requirements for implementers:
/// - Be `Sendable` and safe to call from many tasks at once; hold no per-call state.
/// - `stream` returns at once and does its work when iterated. The sequence yields `started`
///   first, then deltas and `usage` updates, and ends with exactly one `finished`, or throws a
///   `ProviderError` (never another error type). Cancelling the iterating task must close the
///   connection; the sequence then ends without `finished`, quietly or by throwing
///   `ProviderError.Kind.cancelled` (whichever side sees the cancellation first), and
///   `complete` always throws `.cancelled`.
/// - Usage must be converted exactly to `Usage`'s disjoint shape, and each `usage` event must
///   carry the whole usage known so far (a replacement, never an increment).
/// - Never retry a stream after yielding an event; never put secrets in errors or logs.
/// `complete` has a default built on `stream`; `pricingProvider` defaults to `nil`.
public protocol LLMProvider: Sendable {
    /// The name it was configured under (`anthropic`, `openrouter`, `my-vllm`, ...): the
    /// provider recorded in the ledger.
    var name: String { get }
    /// The provider whose prices apply to its calls when that is not `name`: a provider
    /// configured as `work` of type `openai` is priced as `openai` (see
    /// `ProviderSettings.pricedAs`). `nil`: priced under `name`.
    var pricingProvider: String? { get }
    /// The model used when a request names none.
    var defaultModel: String { get }
    /// What `model` can do through this provider.
    func capabilities(for model: String) -> ProviderCapabilities
    /// Sends `request` and streams the reply.
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error>
    /// Sends `request` and returns the whole reply.
    func complete(_ request: ChatRequest) async throws -> ChatResponse
}

extension LLMProvider {
    public var pricingProvider: String? { nil }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        var accumulator = ResponseAccumulator()
        do {
            for try await event in stream(request) { accumulator.apply(event) }
            if Task.isCancelled { throw ProviderError.cancelled(provider: name, requestID: accumulator.start.requestID) }
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError.network(provider: name, message: String(describing: error))
        }
        guard let response = accumulator.response else {
            throw ProviderError.decoding(provider: name, message: "the stream ended without a final event")
        }
        return response
    }
}

/// What a model can do through a provider.
public struct ProviderCapabilities: Sendable, Hashable {
    public var tools: Bool
    public var reasoning: Bool
    public var vision: Bool
    /// Whether a streamed reply reports usage (OpenAI-compatible servers may not).
    public var streamingUsage: Bool
    /// The output limit the adapter sends when a request sets none (Anthropic requires one);
    /// `nil` when it sends none and the model's own limit applies.
    public var defaultMaxOutputTokens: Int?

    public init(
        tools: Bool = true, reasoning: Bool = false, vision: Bool = false, streamingUsage: Bool = true,
        defaultMaxOutputTokens: Int? = nil
    ) {
        self.tools = tools
        self.reasoning = reasoning
        self.vision = vision
        self.streamingUsage = streamingUsage
        self.defaultMaxOutputTokens = defaultMaxOutputTokens
    }
}
