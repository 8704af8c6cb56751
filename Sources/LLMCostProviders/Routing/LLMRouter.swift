import Foundation
import LLMCostCore
import Synchronization

/// A provider that passes each call to one of its candidates: the first (or, with `cheapest`, the
/// least expensive for this very request) that meets the request's requirements, whose circuit
/// is closed and whose budget lets the call through, falling back to the next on a retryable
/// failure (429, 5xx, 529, network, timeout) or a budget's refusal, but never once content has
/// reached the caller.
///
/// Each attempt runs with `router=NAME` and `router_attempt=N` added to the task's
/// `MeteringContext`, so metered candidates record every call under the candidate that made it,
/// and a fallback shows in `report --by tag:router,tag:router_attempt`. Wrap the candidates, not
/// the router, in the meter.
///
/// ```swift
/// let router = LLMRouter(name: "smart", candidates: [
///     .init(provider: MeteredProvider(anthropic, meter: meter), model: "claude-sonnet-4-5"),
///     .init(provider: MeteredProvider(openAI, meter: meter), model: "gpt-4.1"),
/// ], strategy: .cheapest, estimator: estimator)
/// let reply = try await router.complete(.user("Summarise this"))
/// ```
public struct LLMRouter: LLMProvider {
    /// One candidate: a provider and the model to ask it for, or why it cannot be used.
    public struct Candidate: Sendable {
        public var provider: (any LLMProvider)?
        public var providerName: String
        public var model: String
        /// Why the candidate cannot be built (its API key is not set): it is passed over.
        public var unavailable: String?

        public init(provider: any LLMProvider, model: String? = nil) {
            self.provider = provider
            providerName = provider.name
            self.model = model ?? provider.defaultModel
        }

        public init(unavailable providerName: String, model: String, reason: String) {
            self.providerName = providerName
            self.model = model
            unavailable = reason
        }

        /// `PROVIDER:MODEL`.
        public var label: String { "\(providerName):\(model)" }
    }

    /// What happened to one candidate in one call.
    public struct Attempt: Sendable, CustomStringConvertible {
        public enum Outcome: Sendable {
            /// It served the call.
            case served
            /// Passed over before anything was sent: requirements, circuit, unavailable.
            case passedOver(String)
            /// Its budget refused the call.
            case refused(any Error)
            /// It failed before any content reached the caller.
            case failed(ProviderError)
        }

        public var candidate: String
        public var outcome: Outcome

        public var description: String {
            switch outcome {
            case .served: return "\(candidate): served"
            case .passedOver(let why): return "\(candidate): \(why)"
            case .refused(let error): return "\(candidate): refused (\(error))"
            case .failed(let error):
                return "\(candidate): \(error.kind)\(error.httpStatus.map { " \($0)" } ?? ""): \(error.message)"
            }
        }
    }

    public let name: String
    public let candidates: [Candidate]
    public let strategy: RouterSettings.Strategy
    public let requirements: RouteRequirements
    public let estimator: (any CandidateEstimator)?
    private let breakers: Breakers

    /// - Parameters:
    ///   - requirements: what every candidate must offer, besides what each request needs.
    ///   - estimator: estimates for `cheapest` and for context requirements; without one,
    ///     `cheapest` keeps the configured order and context (`min_context` too) is not checked.
    public init(
        name: String, candidates: [Candidate], strategy: RouterSettings.Strategy = .ordered,
        requirements: RouteRequirements = RouteRequirements(), estimator: (any CandidateEstimator)? = nil,
        failureThreshold: Int = 3, coolDown: Duration = .seconds(30)
    ) {
        self.name = name
        self.candidates = candidates
        self.strategy = strategy
        self.requirements = requirements
        self.estimator = estimator
        breakers = Breakers(count: candidates.count, breaker: CircuitBreaker(threshold: failureThreshold, coolDown: coolDown))
    }

    public var defaultModel: String { candidates.first?.model ?? "" }

    /// What the first candidate can do (a router's capabilities are its candidates', per call).
    public func capabilities(for model: String) -> ProviderCapabilities {
        guard let first = candidates.first(where: { $0.provider != nil }), let provider = first.provider else { return ProviderCapabilities() }
        return provider.capabilities(for: first.model)
    }

    /// Each candidate's circuit, in configured order: whether it is open now.
    public var openCircuits: [Bool] { breakers.states.map(\.isOpen) }

    /// The candidates in the order this request would try them, each with the reason it would be
    /// passed over (`nil`: it would be tried) and its estimate.
    public func plan(for request: ChatRequest) -> [(index: Int, passOver: String?, estimate: CandidateEstimate?)] {
        let needs = requirements.union(.of(request))
        var plan = candidates.enumerated().map { index, candidate -> (index: Int, passOver: String?, estimate: CandidateEstimate?) in
            guard let provider = candidate.provider else { return (index, candidate.unavailable ?? "unavailable", nil) }
            if let shortfall = needs.shortfall(of: provider.capabilities(for: candidate.model)) { return (index, shortfall, nil) }
            var asked = request
            asked.model = candidate.model
            let estimate = estimator?.estimate(asked, provider: provider, model: candidate.model)
            if let minimum = needs.minContext, estimator != nil {
                guard let window = estimate?.contextWindow else { return (index, "context window unknown (\(minimum) required)", estimate) }
                if window < minimum { return (index, "context window \(window) < \(minimum) required", estimate) }
            }
            if let estimate, let window = estimate.contextWindow {
                // Saturating: max_tokens comes from outside.
                let (sum, overflow) = estimate.inputTokens.addingReportingOverflow(Int64(max(0, request.maxTokens ?? 0)))
                let needed = overflow ? Int64.max : sum
                if needed > window { return (index, "needs ~\(needed) tokens of context, has \(window)", estimate) }
            }
            if let estimate, let limit = estimate.maxOutput, let asked = request.maxTokens, Int64(asked) > limit {
                return (index, "max_tokens \(asked) > its output limit \(limit)", estimate)
            }
            return (index, nil, estimate)
        }
        if strategy == .cheapest, estimator != nil {
            // Stable: equal or unknown costs keep the configured order; unpriced candidates go last.
            plan = plan.enumerated().sorted { left, right in
                switch (left.element.estimate?.cost, right.element.estimate?.cost) {
                case (let a?, let b?) where a != b: return a < b
                case (.some, nil): return true
                case (nil, .some): return false
                default: return left.offset < right.offset
                }
            }.map(\.element)
        }
        return plan
    }

    /// The whole reply. Errors come through as the candidates threw them: a budget's refusal
    /// stays one (the protocol's default would make it a network error).
    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        var accumulator = ResponseAccumulator()
        for try await event in stream(request) { accumulator.apply(event) }
        guard let response = accumulator.response else {
            throw ProviderError.cancelled(provider: name, requestID: accumulator.start.requestID)
        }
        return response
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<StreamEvent, Error>.makeStream()
        let router = self
        let task = Task {
            do {
                try await router.route(request, into: continuation)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        return stream
    }

    /// Tries the candidates in turn; returns when one finished (or the caller went away).
    private func route(_ request: ChatRequest, into continuation: AsyncThrowingStream<StreamEvent, Error>.Continuation) async throws {
        var attempts: [Attempt] = []
        var attemptNumber = 0
        let clock = ContinuousClock()
        for step in plan(for: request) {
            let candidate = candidates[step.index]
            if let passOver = step.passOver {
                attempts.append(Attempt(candidate: candidate.label, outcome: .passedOver(passOver)))
                continue
            }
            guard let provider = candidate.provider, breakers.admit(step.index, at: clock.now) else {
                attempts.append(Attempt(candidate: candidate.label, outcome: .passedOver("circuit open after repeated failures")))
                continue
            }
            attemptNumber += 1
            var asked = request
            asked.model = candidate.model
            var context = MeteringContext.current
            context.tags["router"] = name
            context.tags["router_attempt"] = String(attemptNumber)
            // A metered candidate takes its attribution when the stream is made.
            let events = MeteringContext.$current.withValue(context) { provider.stream(asked) }
            let route = RouteTaken(router: name, provider: candidate.providerName, model: candidate.model, attempt: attemptNumber)
            var held: [StreamEvent] = []
            var delivered = false
            var finished = false
            func deliver(_ event: StreamEvent) -> Bool {
                if case .terminated = continuation.yield(event) { return false }
                return true
            }
            do {
                for try await event in events {
                    // After `finished`, the rest of the candidate's stream is read to its end: a
                    // metered candidate records the call there, before the router's stream ends.
                    if finished { continue }
                    switch event {
                    case .started(var start):
                        start.route = route
                        held.append(.started(start))
                    case .usage where !delivered:
                        held.append(event)
                    case .finished:
                        breakers.succeeded(step.index)
                        for event in held where !deliver(event) { return }
                        guard deliver(event) else { return }
                        finished = true
                    default:
                        if !delivered {
                            delivered = true
                            for event in held where !deliver(event) {
                                breakers.noVerdict(step.index, at: clock.now)
                                return
                            }
                            held = []
                        }
                        guard deliver(event) else {
                            breakers.noVerdict(step.index, at: clock.now)
                            return
                        }
                    }
                }
                // Without `finished`, the caller stopped listening.
                if !finished { breakers.noVerdict(step.index, at: clock.now) }
                return
            } catch let error as ProviderError where error.isRetryable {
                breakers.failed(step.index, at: clock.now)
                if delivered || Task.isCancelled { throw error }
                attempts.append(Attempt(candidate: candidate.label, outcome: .failed(error)))
            } catch let refusal as CandidateRefusal where refusal.passesToNextCandidate && !delivered {
                breakers.noVerdict(step.index, at: clock.now)
                attempts.append(Attempt(candidate: candidate.label, outcome: .refused(refusal)))
            } catch {
                breakers.noVerdict(step.index, at: clock.now)
                throw error
            }
        }
        throw exhausted(attempts)
    }

    /// The error when no candidate served the call: a budget's refusal when every candidate tried
    /// was refused (it is a budget matter), else the last failure's kind, naming every attempt.
    private func exhausted(_ attempts: [Attempt]) -> any Error {
        let summary = "no candidate served the call: " + attempts.map(\.description).joined(separator: "; ")
        var lastFailure: ProviderError?
        var lastRefusal: (any Error)?
        for attempt in attempts {
            switch attempt.outcome {
            case .failed(let error): lastFailure = error
            case .refused(let error): lastRefusal = error
            default: break
            }
        }
        if let lastFailure { return lastFailure.reported(by: name, message: summary) }
        if let lastRefusal { return lastRefusal }
        return ProviderError.configuration(provider: name, message: summary)
    }
}

/// The routers' circuit breakers, one per candidate, under a lock.
private final class Breakers: Sendable {
    private let states_: Mutex<[CircuitBreaker]>

    init(count: Int, breaker: CircuitBreaker) {
        states_ = Mutex(Array(repeating: breaker, count: count))
    }

    var states: [CircuitBreaker] { states_.withLock { $0 } }

    func admit(_ index: Int, at now: ContinuousClock.Instant) -> Bool { states_.withLock { $0[index].admit(at: now) } }
    func succeeded(_ index: Int) { states_.withLock { $0[index].recordSuccess() } }
    func failed(_ index: Int, at now: ContinuousClock.Instant) { states_.withLock { $0[index].recordFailure(at: now) } }
    func noVerdict(_ index: Int, at now: ContinuousClock.Instant) { states_.withLock { $0[index].recordNoVerdict(at: now) } }
}
