import Foundation
import LLMCostCore
import LLMCostMetering
import LLMCostProviders
import LLMCostStore
import LLMCostTestSupport
import Testing

/// An in-process provider: a fixed reply of `words` text deltas and, unless told otherwise, usage.
private struct StubProvider: LLMProvider {
    var name = "stub"
    var defaultModel = "stub-model"
    var words = 5
    var sendsUsage = true
    func capabilities(for model: String) -> ProviderCapabilities { ProviderCapabilities() }
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let words = self.words
        let sendsUsage = self.sendsUsage
        return AsyncThrowingStream { continuation in
            continuation.yield(.started(StreamStart(requestID: "req-\(UUID().uuidString)")))
            for index in 0..<words { continuation.yield(.textDelta("word\(index) ")) }
            let usage = sendsUsage ? Usage(inputTokens: 10, outputTokens: Int64(words)) : nil
            continuation.yield(.finished(stopReason: StopReason(kind: .endTurn, raw: "end_turn"), usage: usage))
            continuation.finish()
        }
    }
}

/// A provider that streams words until its consumer goes away: only a break or a cancellation ends it.
private struct EndlessProvider: LLMProvider {
    var name = "stub"
    var defaultModel = "stub-model"
    func capabilities(for model: String) -> ProviderCapabilities { ProviderCapabilities() }
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                continuation.yield(.started(StreamStart(requestID: "req-endless")))
                while !Task.isCancelled {
                    continuation.yield(.textDelta("more "))
                    try? await Task.sleep(for: .milliseconds(1))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

private func calls(_ ledger: Ledger) throws -> [CallRecord] {
    var records: [CallRecord] = []
    try ledger.forEachCall { records.append($0) }
    return records
}

@Suite struct MeteredProviderTests {
    @Test func completeRecordsReportedUsageWithTaskLocalAttribution() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let provider = MeteredProvider(StubProvider(), meter: Meter(ledger: ledger, pricing: DollarPerToken()))
        _ = try await withMetering(agent: "researcher", tags: ["team": "search"]) {
            try await provider.complete(.user("hello", maxTokens: 20))
        }
        let records = try calls(ledger)
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.agent == "researcher")
        #expect(record.tags == ["team": "search"])
        #expect(record.usage == Usage(inputTokens: 10, outputTokens: 5))
        #expect(record.usageSource == .reported)
        #expect(record.cost == Money(decimalUSD: "15"))
        #expect(record.estimatedUsage?.inputTokens ?? 0 > 0)
    }

    /// The output expected before a call is the model's recent mean (capped at max_tokens),
    /// recorded beside the estimated input; a model with no history expects nothing yet.
    @Test func expectedOutputComesFromTheModelsRecentCalls() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = MeteredProvider(StubProvider(words: 8), meter: Meter(ledger: ledger, pricing: DollarPerToken()))
        _ = try await first.complete(.user("hello", maxTokens: 20))
        _ = try await first.complete(.user("hello", maxTokens: 20))
        // A new process (a new meter) reads the history: 8 output tokens per call.
        let later = MeteredProvider(StubProvider(words: 8), meter: Meter(ledger: ledger, pricing: DollarPerToken()))
        _ = try await later.complete(.user("hello again", maxTokens: 20))
        _ = try await later.complete(.user("capped", maxTokens: 6))
        let expected = try calls(ledger).map { $0.estimatedUsage?.outputTokens }
        #expect(expected == [0, 0, 8, 6])
    }

    @Test func streamWithoutUsageRecordsAnEstimate() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let provider = MeteredProvider(StubProvider(sendsUsage: false), meter: Meter(ledger: ledger, pricing: DollarPerToken()))
        for try await _ in provider.stream(.user("hello", maxTokens: 20)) {}
        let record = try #require(try await waitForCalls(ledger, count: 1).first)
        #expect(record.usageSource == .estimated)
        #expect(record.status == .ok)
        #expect(record.usage.outputTokens > 0)
    }

    @Test func breakingOutOfAStreamStillRecordsTheCall() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let provider = MeteredProvider(EndlessProvider(), meter: Meter(ledger: ledger, pricing: DollarPerToken()))
        var seen = 0
        for try await event in provider.stream(.user("hello", maxTokens: 100)) {
            if case .textDelta = event { seen += 1 }
            if seen == 2 { break }
        }
        let records = try await waitForCalls(ledger, count: 1)
        #expect(records.count == 1)
        #expect(records.first?.status == .cancelled)
        #expect(records.first?.requestID == "req-endless")
        #expect(records.first?.usageSource == .estimated) // the provider never sent usage
    }

    @Test func blockBudgetRefusesBeforeSendingAndNamesTheBudget() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Worst case per call: ~5 input + 20 output tokens at $1 each, so a $60 budget fits two calls.
        let budget = BudgetDefinition(name: "tight", period: .day, limit: Money(decimalUSD: "60")!, action: .block)
        let provider = MeteredProvider(StubProvider(), meter: Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget]))
        var refusal: MeteringError?
        var succeeded = 0
        for _ in 0..<5 {
            do {
                _ = try await provider.complete(.user("hello", maxTokens: 20))
                succeeded += 1
            } catch let error as MeteringError {
                refusal = error
                break
            }
        }
        let error = try #require(refusal)
        #expect(error.isBudgetExceeded)
        #expect(error.budget == "tight")
        #expect(error.standing?.limit == Money(decimalUSD: "60"))
        #expect(error.standing?.spent == Money(nanoUSD: Int64(succeeded) * 15 * Money.unitsPerDollar))
        #expect(succeeded >= 1)
        let usage = try ledger.usage(of: budget)
        #expect(usage.reserved == .zero) // every reservation settled
        #expect(usage.spent <= budget.limit)
        #expect(try calls(ledger).count == succeeded) // the refused call was never recorded nor sent
    }

    @Test func zeroCostCallsAreNeverBlocked() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        struct Free: CallPricing {
            func quote(for record: CallRecord) -> PriceQuote? { PriceQuote(cost: .zero, entryID: "free") }
        }
        let budget = BudgetDefinition(name: "nothing", limit: .zero, action: .block)
        let provider = MeteredProvider(StubProvider(), meter: Meter(ledger: ledger, pricing: Free(), budgets: [budget]))
        _ = try await provider.complete(.user("hi", maxTokens: 10))
        #expect(try calls(ledger).count == 1)
    }

    @Test func alertClaimsAreOncePerThresholdAndPeriod() throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try ledger.claimAlert(budget: "b", periodKey: 0, thresholdBasisPoints: 5000, spent: .zero, limit: .zero)
        let second = try ledger.claimAlert(budget: "b", periodKey: 0, thresholdBasisPoints: 5000, spent: .zero, limit: .zero)
        let nextPeriod = try ledger.claimAlert(budget: "b", periodKey: 1, thresholdBasisPoints: 5000, spent: .zero, limit: .zero)
        #expect(first && !second && nextPeriod)
    }

    @Test func staleReservationsOfCrashedProcessesExpire() throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let budget = BudgetDefinition(name: "cap", period: .total, limit: Money(decimalUSD: "10")!, action: .block)
        let anHourAgo = Date().addingTimeInterval(-3600)
        // A process reserved $8 an hour ago with a one-minute lifetime, then died without settling.
        guard case .reserved = try ledger.reserve(Money(decimalUSD: "8")!, against: [budget], now: anHourAgo, expiresAfter: .seconds(60)) else {
            Issue.record("the first reservation should fit")
            return
        }
        // While it was live, a second $8 did not fit.
        guard case .refused(let refusal) = try ledger.reserve(Money(decimalUSD: "8")!, against: [budget], now: anHourAgo) else {
            Issue.record("the second reservation should be refused while the first is live")
            return
        }
        #expect(refusal.reserved == Money(decimalUSD: "8"))
        // Now it has expired: nothing is held and the same $8 fits.
        #expect(try ledger.usage(of: budget).reserved == .zero)
        guard case .reserved = try ledger.reserve(Money(decimalUSD: "8")!, against: [budget]) else {
            Issue.record("an expired reservation must not hold budget")
            return
        }
    }

    /// The stream records from its producer task once the consumer lets go: wait for it.
    private func waitForCalls(_ ledger: Ledger, count: Int) async throws -> [CallRecord] {
        for _ in 0..<500 {
            let records = try calls(ledger)
            if records.count >= count { return records }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try calls(ledger)
    }
}
