import Foundation
import LLMCostCore
import LLMCostMetering
import LLMCostPresentation
import LLMCostProviders
import LLMCostStore
import LLMCostTestSupport
import Testing

/// Streams a word, then waits until released, then finishes with usage: a call that stays in
/// flight as long as the test wants.
private final class HeldProvider: LLMProvider, @unchecked Sendable {
    let name = "stub"
    let defaultModel = "stub-model"
    let reportedInput: Int64
    private let gate = AsyncStream<Void>.makeStream()

    init(reportedInput: Int64 = 10) { self.reportedInput = reportedInput }

    func capabilities(for model: String) -> ProviderCapabilities { ProviderCapabilities() }

    /// Lets the held stream finish.
    func release() { gate.continuation.finish() }

    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let gate = self.gate.stream
        let input = reportedInput
        return AsyncThrowingStream { continuation in
            Task {
                continuation.yield(.started(StreamStart(requestID: "req-held")))
                continuation.yield(.textDelta("thinking "))
                for await _ in gate {}
                continuation.yield(.finished(stopReason: StopReason(kind: .endTurn, raw: "end_turn"), usage: Usage(inputTokens: input, outputTokens: 5)))
                continuation.finish()
            }
        }
    }
}

/// Answers at once, reporting `reportedInput` input tokens whatever the request says.
private struct ReportingProvider: LLMProvider {
    var name = "stub"
    var defaultModel = "stub-model"
    var reportedInput: Int64
    func capabilities(for model: String) -> ProviderCapabilities { ProviderCapabilities() }
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let input = reportedInput
        return AsyncThrowingStream { continuation in
            continuation.yield(.started(StreamStart(requestID: "req-\(UUID().uuidString)")))
            continuation.yield(.finished(stopReason: StopReason(kind: .endTurn, raw: "end_turn"), usage: Usage(inputTokens: input, outputTokens: 5)))
            continuation.finish()
        }
    }
}

/// Hard budgets without gaps: long calls keep their hold, overruns are visible and bounded,
/// and the status projection counts what is in flight.
@Suite struct BudgetHardeningTests {
    @Test func aStreamOutlivingTheReservationLifetimeKeepsItsHold() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let budget = BudgetDefinition(name: "cap", period: .day, limit: Money(decimalUSD: "100")!, action: .block)
        let lifetime = Duration.milliseconds(1500)
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget], reservationLifetime: lifetime)
        let held = HeldProvider()
        let provider = MeteredProvider(held, meter: meter)
        var events = provider.stream(.user("hello", maxTokens: 20)).makeAsyncIterator()
        _ = try await events.next() // started: the reservation is in place
        let reserved = try ledger.usage(of: budget).reserved
        #expect(reserved > .zero)
        // Two lifetimes later the call is still in flight, and still holds its worst case
        // (renewed every half second; the slack is for a loaded machine).
        try await Task.sleep(for: lifetime * 2)
        #expect(try ledger.usage(of: budget).reserved == reserved)
        held.release()
        while try await events.next() != nil {}
        for _ in 0..<500 where try ledger.usage(of: budget).reserved != .zero { try await Task.sleep(for: .milliseconds(10)) }
        let usage = try ledger.usage(of: budget)
        #expect(usage.reserved == .zero) // settled: the hold is gone with the call
        #expect(usage.spent == Money(decimalUSD: "15"))
    }

    @Test func aCallOverItsWorstCaseIsRecordedWarnedOnceAndBounded() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The request's worst case is a few input tokens + 20 output tokens (~$25); the provider
        // bills 1000 input tokens: each call overruns its reservation by ~$980.
        let budget = BudgetDefinition(name: "cap", period: .day, limit: Money(decimalUSD: "1500")!, action: .block)
        let warnings = CollectedLines()
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget], warn: { warnings.append($0) })
        let provider = MeteredProvider(ReportingProvider(reportedInput: 1000), meter: meter)
        _ = try await provider.complete(.user("hello", maxTokens: 20))
        _ = try await provider.complete(.user("hello", maxTokens: 20)) // $1005 spent + ~$25 < $1500: admitted
        await #expect(throws: MeteringError.self) { try await provider.complete(.user("hello", maxTokens: 20)) }

        let overruns = try ledger.overruns(of: budget)
        #expect(overruns.calls == 2)
        let usage = try ledger.usage(of: budget)
        #expect(usage.spent == Money(decimalUSD: "2010"))
        // Spend is past the limit, by no more than the recorded overruns.
        #expect(usage.spent > budget.limit)
        #expect(usage.spent <= budget.limit + overruns.amount)
        let overrunWarnings = warnings.all.filter { $0.contains("more than the worst case it reserved") }
        #expect(overrunWarnings.count == 1, "\(warnings.all)")
        #expect(overrunWarnings.first?.contains("budget \"cap\"") == true)

        let status = try BudgetStatusReport(ledger: ledger, budgets: [budget])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(status.json().utf8)) as? [[String: Any]])
        #expect(json.first?["overrun_calls"] as? Int == 2)
        #expect(json.first?["overrun_usd"] as? String == overruns.amount.decimalString)
        #expect(status.table().contains(overruns.amount.formatted(places: 4)))
    }

    @Test func theProjectionAddsReservationsToTheBurnRate() throws {
        // A quarter of the way into a 100 ms period, $1 spent and $0.5 held: $4 + $0.5.
        let projected = BudgetStatusReport.projection(
            spent: Money(decimalUSD: "1")!, reserved: Money(decimalUSD: "0.5")!, start: 1000, end: 1100, nowMs: 1025)
        #expect(projected == Money(decimalUSD: "4.5"))
        #expect(BudgetStatusReport.projection(spent: .zero, reserved: .zero, start: 1000, end: 1100, nowMs: 1000) == nil)
    }

    @Test func statusProjectsACallInFlight() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let budget = BudgetDefinition(name: "cap", period: .month, limit: Money(decimalUSD: "1000")!, action: .block)
        let held = HeldProvider()
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget])
        var events = MeteredProvider(held, meter: meter).stream(.user("hello", maxTokens: 20)).makeAsyncIterator()
        _ = try await events.next()
        // Nothing spent yet: the projection is exactly what the call in flight holds.
        let row = try #require(try BudgetStatusReport(ledger: ledger, budgets: [budget]).rows.first)
        #expect(row.usage.spent == .zero)
        #expect(row.usage.reserved > .zero)
        #expect(row.projected == row.usage.reserved)
        held.release()
        while try await events.next() != nil {}
    }
}
