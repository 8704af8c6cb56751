import Foundation
import LLMCostCore
import LLMCostProviders
import LLMCostStore
import Synchronization

/// A call made through a client the meter does not wrap (another SDK, a proxy in front of any
/// client), metered by hand: `Meter.beginCall` estimates it and holds its worst case against
/// the hard budgets, or refuses it before anything is sent; `finish` records what it used.
///
/// ```swift
/// let call = try await meter.beginCall(provider: "openai", model: "gpt-5", input: .counted(inputTokens: 1_200, maxOutputTokens: 800))
/// // ... send it with any client ...
/// await call.finish(status: .ok, usage: Usage(inputTokens: 1_180, outputTokens: 412), requestID: "req_123")
/// ```
///
/// Requirements:
/// - call `finish` once, whatever became of the call (sent, failed, cancelled); later calls
///   record nothing and return `nil`;
/// - a call dropped without `finish` records nothing: its reservation is no longer renewed and
///   lapses after the meter's `reservationLifetime`, holding the budget until then.
public final class MeteredCall: Sendable {
    private let meter: Meter
    private let call: Meter.Call
    private let finished = Atomic<Bool>(false)

    init(meter: Meter, call: Meter.Call) {
        self.meter = meter
        self.call = call
    }

    deinit {
        if !finished.load(ordering: .acquiring), let reservation = call.reservation { meter.keeper.letGo(reservation) }
    }

    /// The provider and model, as called.
    public var provider: String { call.provider }
    public var model: String { call.model }
    /// The input tokens the meter assumed (counted, or the estimate).
    public var estimatedInputTokens: Int64 { call.estimatedInput }
    /// The most the call can cost, which hard budgets hold for it; `nil` when the model has no price.
    public var worstCase: Money? { call.worstCase }
    /// What hard budgets hold for the call until it finishes; `nil` when no `block` budget covers it.
    public var reserved: Money? { call.reservation?.amount }
    /// The budgets covering the call (its reservation and alerts).
    public var budgets: [String] { call.budgets.map(\.name) }

    /// Records the call and settles its reservation. Never throws: a ledger that cannot take it
    /// keeps it in the spool, as for wrapped providers.
    ///
    /// - Parameters:
    ///   - status: how it ended.
    ///   - usage: what the provider reported; `nil` when it reported nothing (a cut stream):
    ///     the input estimate and the tokens of `receivedText` are recorded, marked estimated
    ///     (nothing at all for an error before any output).
    ///   - requestID: the provider's request id: recording the same id again changes nothing.
    ///   - timeToFirstToken: from `beginCall` to the first content, for streams.
    ///   - receivedText: the output seen, which bounds a partial usage from below.
    /// - Returns: the call as recorded (priced, with its latency); `nil` after the first `finish`.
    @discardableResult
    public func finish(
        status: CallStatus, usage: Usage?, requestID: String? = nil, timeToFirstToken: Duration? = nil,
        receivedText: String = ""
    ) async -> CallRecord? {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
        return await meter.finish(
            call, status: status, reportedUsage: usage, receivedText: receivedText, requestID: requestID,
            firstToken: timeToFirstToken)
    }
}

extension Meter {
    /// What the meter knows of a call's input before it is sent.
    public enum CallInput: Sendable {
        /// The request: estimated as for a wrapped provider (exact tokenizer where public, the
        /// heuristic otherwise), with its cache breakpoints, server tools and `max_tokens` in
        /// the worst case (see `WorstCase`).
        case request(ChatRequest)
        /// Input tokens the caller counted, and the output limit the request sets (`nil`: the
        /// model's `max_output` from the pricing table, else the meter's `defaultMaxTokens`).
        case counted(inputTokens: Int64, maxOutputTokens: Int?)
    }

    /// Begins a call made through any client: estimates it, attributes it (`attribution` over
    /// the task's `MeteringContext.current`), and reserves its worst case against the `block`
    /// budgets covering it, waiting as a wrapped call waits.
    ///
    /// Throws `MeteringError` when a `block` budget refuses the call (send nothing), or the
    /// ledger's error when it cannot reserve. `pricingProvider`: whose prices apply, when not
    /// `provider`'s own (a provider configured under a name of its own).
    public func beginCall(
        provider: String, model: String, input: CallInput, attribution: MeteringContext = MeteringContext(),
        pricingProvider: String? = nil
    ) async throws -> MeteredCall {
        let context = MeteringContext.current.merged(with: attribution)
        let call: Call
        switch input {
        case .request(let request):
            call = try await begin(provider: provider, pricingProvider: pricingProvider, model: model, request: request, context: context)
        case .counted(let inputTokens, let maxOutputTokens):
            call = try await begin(
                provider: provider, pricingProvider: pricingProvider, model: model,
                request: ChatRequest(model: model, messages: [], maxTokens: maxOutputTokens.map { max(0, $0) }), context: context,
                countedInput: max(0, inputTokens))
        }
        return MeteredCall(meter: self, call: call)
    }
}
