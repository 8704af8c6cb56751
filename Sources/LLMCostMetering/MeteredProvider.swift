import Foundation
import LLMCostCore
import LLMCostProviders

/// Any provider, metered: itself a provider, so code that takes an `LLMProvider` is metered
/// without change. Every call is estimated and checked against budgets before it is sent,
/// and recorded when it ends: completed, failed, or a stream abandoned or cancelled.
public struct MeteredProvider: LLMProvider {
    public let base: any LLMProvider
    public let meter: Meter
    /// Attribution given here; the task-local `MeteringContext` layers on top.
    public let attribution: MeteringContext

    public init(_ base: any LLMProvider, meter: Meter, attribution: MeteringContext = MeteringContext()) {
        self.base = base
        self.meter = meter
        self.attribution = attribution
    }

    public var name: String { base.name }
    public var defaultModel: String { base.defaultModel }
    public var pricingProvider: String? { base.pricingProvider }
    public func capabilities(for model: String) -> ProviderCapabilities { base.capabilities(for: model) }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let model = request.model ?? base.defaultModel
        let call = try await meter.begin(
            provider: name, pricingProvider: base.pricingProvider, model: model, request: request,
            context: attribution.merged(with: MeteringContext.current),
            adapterMaxOutput: base.capabilities(for: model).defaultMaxOutputTokens)
        do {
            let response = try await base.complete(request)
            await meter.finish(call, status: .ok, reportedUsage: response.usage, receivedText: response.text + response.reasoning,
                         requestID: response.requestID, firstToken: nil)
            return response
        } catch {
            let status: CallStatus = (error as? ProviderError)?.kind == .cancelled || Task.isCancelled ? .cancelled : .error
            await meter.finish(call, status: status, reportedUsage: nil, receivedText: "", requestID: (error as? ProviderError)?.requestID, firstToken: nil)
            throw error
        }
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let context = attribution.merged(with: MeteringContext.current)
        let base = self.base
        let meter = self.meter
        return AsyncThrowingStream { continuation in
            let task = Task {
                let model = request.model ?? base.defaultModel
                let call: Meter.Call
                do {
                    call = try await meter.begin(
                        provider: base.name, pricingProvider: base.pricingProvider, model: model, request: request, context: context,
                        adapterMaxOutput: base.capabilities(for: model).defaultMaxOutputTokens)
                } catch {
                    continuation.finish(throwing: error)
                    return
                }
                var accumulator = ResponseAccumulator()
                var firstToken: Duration?
                var status = CallStatus.cancelled
                var failure: (any Error)?
                do {
                    for try await event in base.stream(request) {
                        accumulator.apply(event)
                        if firstToken == nil, accumulator.hasContent { firstToken = ContinuousClock.now - call.started }
                        if case .terminated = continuation.yield(event) { break }
                    }
                    // Without `finished` the consumer stopped or the task was cancelled.
                    if accumulator.stopReason != nil { status = .ok }
                } catch {
                    failure = error
                    status = (error as? ProviderError)?.kind == .cancelled || Task.isCancelled ? .cancelled : .error
                }
                await meter.finish(
                    call, status: status, reportedUsage: accumulator.lastUsage,
                    receivedText: accumulator.text + accumulator.reasoning, requestID: accumulator.start.requestID,
                    firstToken: firstToken)
                if let failure { continuation.finish(throwing: failure) } else { continuation.finish() }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
