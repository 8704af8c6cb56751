import Foundation
import LLMCostCore
import LLMCostProviders
import LLMCostStore
import Synchronization

/// The metering core shared by every `MeteredProvider`: estimates a call, reserves its worst
/// case against hard budgets, and records what it really cost (settling the reservation).
///
/// Reservations of calls in flight are renewed in the background, so a call longer than
/// `reservationLifetime` keeps its hold. Threshold alerts are checked and delivered in the
/// background too, never on the call's path: call `waitForPendingAlerts()` before the process
/// exits. A `block` budget's limit holds up to recorded overruns (calls that cost more than the
/// worst case they reserved; see `Ledger.settle`): the first one per budget is warned about,
/// every one is shown by `llm-cost budget status`.
public final class Meter: Sendable {
    public let ledger: Ledger
    public let pricing: (any CallPricing)?
    public let budgets: [BudgetDefinition]
    /// Output tokens assumed for the worst case when neither the request, nor its adapter, nor
    /// the pricing table's `max_output` for the model says (see `WorstCase`).
    public let defaultMaxTokens: Int
    /// What the worst case assumes about server tools a request leaves unbounded.
    public let serverToolAllowance: ServerToolAllowance
    /// How long a reservation holds if its process dies before settling.
    public let reservationLifetime: Duration
    /// Where warnings go (`warn` budgets, ledger failures after a call): stderr by default.
    let warn: @Sendable (String) -> Void
    let estimator = InputEstimator()
    /// Per-model corrections of heuristic estimates, learned from the ledger (see `EstimateCorrectionCache`).
    let corrections: EstimateCorrectionCache
    /// Sends threshold alerts after each recorded call (`nil`: no alerts).
    public let alerts: AlertDispatcher?
    /// Runs `alerts` off the call path.
    let alertQueue: AlertQueue?
    /// Renews the reservations of calls in flight.
    let keeper: ReservationKeeper
    /// Budgets whose first overrun has been warned about.
    let overrunWarnings = OverrunWarnings()
    /// Whether calls may wait in the ledger's spool (see `Ledger.spool`): set at start when a
    /// spool exists and whenever this meter spools; the next recorded call brings them in.
    let spoolPending: Atomic<Bool>

    public init(
        ledger: Ledger, pricing: (any CallPricing)?, budgets: [BudgetDefinition] = [], defaultMaxTokens: Int = 4096,
        reservationLifetime: Duration = .seconds(900), alerts: AlertDispatcher? = nil,
        warn: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("llm-cost: " + $0 + "\n").utf8)) },
        estimateCorrection: EstimateCorrectionPolicy = .standard, serverToolAllowance: ServerToolAllowance = .standard
    ) {
        self.serverToolAllowance = serverToolAllowance
        self.corrections = EstimateCorrectionCache(policy: estimateCorrection)
        self.ledger = ledger
        self.pricing = pricing
        self.budgets = budgets
        self.defaultMaxTokens = defaultMaxTokens
        self.reservationLifetime = reservationLifetime
        self.warn = warn
        self.alerts = alerts
        alertQueue = alerts.map { AlertQueue(dispatcher: $0, ledger: ledger) }
        keeper = ReservationKeeper(ledger: ledger, lifetime: reservationLifetime, warn: warn)
        spoolPending = Atomic(ledger.hasSpooledCalls)
    }

    /// Waits until the alerts of every call finished so far are delivered, or recorded as
    /// failed for a later retry. Call it before the process exits.
    public func waitForPendingAlerts() async {
        await alertQueue?.drain()
    }

    /// A call between `begin` and `finish`.
    struct Call: Sendable {
        var timestamp: Date
        var started: ContinuousClock.Instant
        var provider: String
        /// The provider whose prices apply, when not `provider`.
        var pricingProvider: String?
        var model: String
        var context: MeteringContext
        var estimatedInput: Int64
        /// Output expected from the model's recent calls (capped at `max_tokens`); 0 when unknown.
        var expectedOutput: Int64
        var heuristicEstimate: HeuristicInputEstimate?
        var worstCase: Money?
        /// The budgets whose scope covers the call (checked before, alerted after).
        var budgets: [BudgetDefinition] = []
        var reservation: BudgetReservation?
    }

    /// Estimates and reserves; throws `MeteringError` when a `block` budget refuses the call: its
    /// worst case does not fit the limit (after waiting up to the budget's `wait` when only
    /// other calls' reservations are in the way), or its model is unpriced.
    func begin(
        provider: String, pricingProvider: String? = nil, model: String, request: ChatRequest, context: MeteringContext,
        adapterMaxOutput: Int? = nil, countedInput: Int64? = nil, choices: Int = 1, storedInput: Int64? = nil
    ) async throws -> Call {
        let timestamp = Date()
        let pricedAs = pricingProvider ?? pricing?.pricingProvider(for: provider)
        // Input the caller counted exactly needs no estimate.
        var estimate = countedInput.map { InputEstimate(tokens: $0, high: $0, heuristic: nil) }
            ?? inputEstimate(for: request, provider: provider, model: model, now: timestamp)
        if let storedInput {
            estimate.tokens += max(0, storedInput)
            estimate.high += max(0, storedInput)
            // Reported input then includes what the provider kept: no sample for the corrections.
            estimate.heuristic = nil
        }
        var worstRecord = CallRecord(timestamp: timestamp, provider: provider, model: model)
        worstRecord.pricingProvider = pricedAs
        let bound = WorstCase.of(
            request, input: estimate, adapterMaxOutput: adapterMaxOutput, modelMaxOutput: pricing?.maxOutputTokens(for: worstRecord),
            defaultMaxOutput: defaultMaxTokens, allowance: serverToolAllowance)
        worstRecord.usage = bound.usage
        // Saturating: limits come from outside (a proxied client's `max_tokens`).
        let (output, overflow) = worstRecord.usage.outputTokens.multipliedReportingOverflow(by: Int64(max(1, choices)))
        worstRecord.usage.outputTokens = overflow ? .max : output
        let worstCase = pricing?.quote(for: worstRecord)?.cost
        let maxTokens = bound.maxOutput
        var call = Call(
            timestamp: timestamp, started: ContinuousClock.now, provider: provider, pricingProvider: pricedAs, model: model,
            context: context,
            estimatedInput: estimate.tokens,
            expectedOutput: min(maxTokens, corrections.expectedOutput(provider: provider, model: model, ledger: ledger, now: timestamp) ?? 0),
            heuristicEstimate: estimate.heuristic, worstCase: worstCase)
        let matching = budgets.filter {
            $0.scope.matches(provider: provider, model: model, agent: context.agent, tags: context.tags)
        }
        call.budgets = matching
        guard !matching.isEmpty else { return call }
        guard let worstCase else {
            try checkUnpriced(provider: provider, model: model, budgets: matching, now: timestamp)
            return call
        }
        // An explicitly free model (a $0 entry) has nothing to hold.
        guard worstCase > .zero else { return call }
        let hard = matching.filter { $0.action == .block }
        for budget in matching where budget.action == .warn {
            if let usage = try? ledger.usage(of: budget, now: timestamp), usage.spent + usage.reserved + worstCase > budget.limit {
                warn("budget \"\(budget.name)\" (warn) would go over: spent \(usage.spent.formatted(places: 6)) of \(budget.limit.formatted(places: 6))")
            }
        }
        guard !hard.isEmpty else { return call }
        let (reservation, waited) = try await reserve(worstCase, against: hard, provider: provider, model: model)
        call.reservation = reservation
        keeper.hold(reservation)
        if waited > .zero {
            // The call goes out now: its time and latency start here, not when it began waiting.
            call.timestamp = Date()
            call.started = ContinuousClock.now
        }
        return call
    }

    /// Reserves `amount` against `budgets`. A refusal that only other calls' reservations cause
    /// (the call fits the recorded spend) waits for a settlement, here or in another process,
    /// and tries again, until the tightest `wait` of the budgets that held it up runs out.
    private func reserve(
        _ amount: Money, against budgets: [BudgetDefinition], provider: String, model: String
    ) async throws -> (BudgetReservation, waited: Duration) {
        let began = ContinuousClock.now
        var deadline: ContinuousClock.Instant?
        while true {
            let generation = ledger.changeGeneration
            switch try ledger.reserve(amount, against: budgets, now: Date(), expiresAfter: reservationLifetime) {
            case .reserved(let reservation):
                return (reservation, ContinuousClock.now - began)
            case .refused(let refusal):
                let now = ContinuousClock.now
                let budgetWait = budgets.first { $0.name == refusal.budget }?.wait ?? .zero
                let budgetDeadline = began + budgetWait
                deadline = min(deadline ?? budgetDeadline, budgetDeadline)
                guard refusal.isBlockedOnlyByReservations, let deadline, now < deadline, !Task.isCancelled else {
                    throw MeteringError.budgetExceeded(refusal, provider: provider, model: model, waited: now - began)
                }
                await ledger.waitForChange(after: generation, until: min(deadline, now + Ledger.changeRecheckInterval))
            }
        }
    }

    /// A call the pricing cannot price: a `block` budget cannot count it, so it refuses it
    /// unless the budget allows unpriced calls; a `warn` budget warns once per model and period
    /// (across processes sharing the ledger).
    private func checkUnpriced(provider: String, model: String, budgets: [BudgetDefinition], now: Date) throws {
        if let refusing = budgets.first(where: { $0.action == .block && !$0.allowsUnpriced }) {
            throw MeteringError.unpricedModel(budget: refusing.name, provider: provider, model: model)
        }
        for budget in budgets where budget.action == .warn {
            // A ledger that cannot say whether it warned already: better twice than never.
            guard (try? ledger.claimUnpricedWarning(budget: budget, provider: provider, model: model, now: now)) ?? true else { continue }
            warn("budget \"\(budget.name)\" (warn) does not count calls of \(provider)/\(model): the model has no price "
                + "(a pricing file with provider = \"\(provider)\", or `pricing_provider` in [providers.\(provider)], prices it)")
        }
    }

    /// Records the call (settling its reservation) and returns the record. Never throws: a call
    /// that happened is not undone by a ledger problem; the problem is reported through `warn`.
    @discardableResult
    func finish(
        _ call: Call, status: CallStatus, reportedUsage: Usage?, receivedText: String, requestID: String?,
        firstToken: Duration?
    ) async -> CallRecord {
        let latency = ContinuousClock.now - call.started
        var usage: Usage
        var source = UsageSource.reported
        if let reportedUsage {
            usage = reportedUsage
        } else if status == .error && receivedText.isEmpty {
            usage = .zero // refused before any work: nothing billed
        } else {
            // No usage from the provider: what was sent, and what came back.
            usage = Usage(inputTokens: call.estimatedInput, outputTokens: estimator.count(receivedText, model: call.model))
            source = .estimated
        }
        if status != .ok, reportedUsage != nil {
            // An interrupted stream's last usage may predate most of its output.
            let received = estimator.count(receivedText, model: call.model)
            if received > usage.outputTokens {
                usage.outputTokens = received
                source = .estimated
            }
        }
        var record = CallRecord(
            timestamp: call.timestamp, provider: call.provider, model: call.model, agent: call.context.agent,
            session: call.context.session, tags: call.context.tags,
            // Records are idempotent on request id; a call without one still must not collide.
            requestID: requestID ?? "llm-cost-\(UUID().uuidString)", status: status, usage: usage, usageSource: source,
            estimatedUsage: Usage(inputTokens: call.estimatedInput, outputTokens: call.expectedOutput), estimatedCost: call.worstCase,
            latencyMilliseconds: latency.milliseconds, timeToFirstTokenMilliseconds: firstToken?.milliseconds)
        record.heuristicEstimate = call.heuristicEstimate
        record.pricingProvider = call.pricingProvider
        if let quote = pricing?.quote(for: record) {
            record.cost = quote.cost
            record.pricingEntry = quote.entryID
        }
        if let reservation = call.reservation { keeper.letGo(reservation) }
        do {
            let outcome = try ledger.settle(call.reservation, recording: record, pricing: nil)
            if outcome == .inserted, source == .reported, call.heuristicEstimate != nil {
                corrections.noteSample(provider: call.provider, model: call.model)
            }
            if outcome == .inserted, let reservation = call.reservation, let cost = record.cost, cost > reservation.amount {
                overrunWarnings.warnFirst(of: reservation, cost: cost, warn: warn)
            }
            if spoolPending.load(ordering: .relaxed) { recoverSpooledCalls() }
        } catch {
            // The call happened: keep it beside the ledger until a write succeeds.
            do {
                try ledger.spool(record)
                spoolPending.store(true, ordering: .relaxed)
                warn("could not record a \(call.provider)/\(call.model) call (\(error)); it waits in \(ledger.spoolPath) "
                    + "and is recorded by the next call or `llm-cost ledger recover`")
            } catch let spoolError {
                warn("could not record a \(call.provider)/\(call.model) call: \(error); nor spool it: \(spoolError)")
            }
        }
        alertQueue?.submit(call.budgets)
        return record
    }
}


extension Meter {
    /// Records the calls waiting in the spool; a failure leaves them there for the next try.
    func recoverSpooledCalls() {
        guard spoolPending.exchange(false, ordering: .acquiringAndReleasing) else { return }
        do {
            try ledger.recoverSpooledCalls()
        } catch {
            spoolPending.store(true, ordering: .relaxed)
            warn("spooled calls in \(ledger.spoolPath) not recorded yet: \(error)")
        }
    }
}
