import Foundation
import LLMCostConfig
import LLMCostCore
import LLMCostMetering
import LLMCostProviders
import LLMCostStore
import LLMCostTestSupport
import LLMCostTokenizer
import Testing

/// Calls made through clients the meter does not wrap, metered by hand with `Meter.beginCall`
/// and `MeteredCall.finish`, and the meter a configuration sets up in one line.
@Suite struct MeteredCallTests {
    /// $1 a token, $100 a day: a call counted at 30 input tokens with 20 output tokens at most
    /// holds $50.
    private let budget = BudgetDefinition(name: "cap", period: .day, limit: Money(decimalUSD: "100")!, action: .block)

    @Test func aCountedCallReservesItsWorstCaseAndFinishingRecordsItAndSettles() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget])
        let call = try await MeteringContext.$current.withValue(MeteringContext(agent: "outer", tags: ["team": "search"])) {
            try await meter.beginCall(
                provider: "openai", model: "gpt-5", input: .counted(inputTokens: 30, maxOutputTokens: 20),
                attribution: MeteringContext(session: "s-1", tags: ["route": "proxy"]))
        }
        #expect(call.worstCase == Money(decimalUSD: "50"))
        #expect(call.reserved == Money(decimalUSD: "50"))
        #expect(call.budgets == ["cap"])
        #expect(try ledger.usage(of: budget).reserved == Money(decimalUSD: "50"))

        let recorded = await call.finish(status: .ok, usage: Usage(inputTokens: 28, outputTokens: 7), requestID: "req_1")
        #expect(recorded?.cost == Money(decimalUSD: "35") && recorded?.requestID == "req_1")
        #expect(await call.finish(status: .ok, usage: Usage(inputTokens: 28, outputTokens: 7), requestID: "req_1") == nil)
        let usage = try ledger.usage(of: budget)
        #expect(usage.reserved == .zero)
        #expect(usage.spent == Money(decimalUSD: "35"))
        let records = try recordedCalls(ledger)
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.provider == "openai" && record.model == "gpt-5" && record.requestID == "req_1")
        // The task's context under the call's own attribution.
        #expect(record.agent == "outer" && record.session == "s-1" && record.tags == ["team": "search", "route": "proxy"])
        #expect(record.cost == Money(decimalUSD: "35") && record.estimatedCost == Money(decimalUSD: "50"))
        #expect(record.usage.inputTokens == 28 && record.usageSource == .reported)
    }

    @Test func aRequestIsEstimatedAsAWrappedCallWouldBe() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget])
        let request = ChatRequest.user("Summarise the meeting notes in three bullet points.", maxTokens: 40)
        let call = try await meter.beginCall(provider: "openai", model: "gpt-4o", input: .request(request))
        // gpt-4o has a public tokenizer: the input is counted exactly, and the worst case is it plus max_tokens.
        let estimate = try CallEstimate.estimate(request, provider: "openai", model: "gpt-4o", ledger: ledger, pricing: DollarPerToken())
        #expect(call.estimatedInputTokens == estimate.input.tokens)
        #expect(call.worstCase == Money(nanoUSD: (estimate.input.high + 40) * Money.unitsPerDollar))
        await call.finish(status: .ok, usage: Usage(inputTokens: estimate.input.tokens, outputTokens: 12))
        #expect(try ledger.usage(of: budget).spent == Money(nanoUSD: (estimate.input.tokens + 12) * Money.unitsPerDollar))
    }

    @Test func aCallThatDoesNotFitIsRefusedWithTheBudgetsStandingAndRecordsNothing() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget])
        do {
            _ = try await meter.beginCall(provider: "openai", model: "gpt-5", input: .counted(inputTokens: 90, maxOutputTokens: 20))
            Issue.record("a $110 worst case must not fit a $100 limit")
        } catch let error as MeteringError {
            #expect(error.isBudgetExceeded && error.budget == "cap")
            let standing = try #require(error.standing)
            #expect(standing.requested == Money(decimalUSD: "110") && standing.limit == Money(decimalUSD: "100"))
            // A daily budget starts again at the next midnight (UTC, the budget's zone here).
            #expect(standing.resetsAt == budget.window(containing: Date()).end)
            #expect(standing.resetsAt.map { $0 > Int64(Date().timeIntervalSince1970 * 1000) } == true)
            #expect("\(error)".hasSuffix("; it resets at \(Timestamp.format(milliseconds: standing.resetsAt ?? 0))"), "\(error)")
        }
        #expect(try recordedCalls(ledger).isEmpty)
        #expect(try ledger.usage(of: budget).reserved == .zero)
    }

    @Test func aCallWithoutReportedUsageIsRecordedFromItsEstimateAndWhatCameBack() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget])
        let cut = try await meter.beginCall(provider: "openai", model: "gpt-4o", input: .counted(inputTokens: 30, maxOutputTokens: 20))
        await cut.finish(status: .cancelled, usage: nil, receivedText: "Hello there")
        let refusedUpstream = try await meter.beginCall(provider: "openai", model: "gpt-4o", input: .counted(inputTokens: 30, maxOutputTokens: 20))
        await refusedUpstream.finish(status: .error, usage: nil)
        let records = try recordedCalls(ledger)
        #expect(records.count == 2)
        let cancelled = try #require(records.first { $0.status == .cancelled })
        // 2 tokens with o200k_base; the heuristic's count where the rank files are not installed.
        let received = Int64(TokenCounter.forModel("gpt-4o").count("Hello there").tokens)
        #expect(cancelled.usageSource == .estimated && cancelled.usage.inputTokens == 30 && cancelled.usage.outputTokens == received)
        let failed = try #require(records.first { $0.status == .error })
        #expect(failed.usage == .zero)
        #expect(try ledger.usage(of: budget).reserved == .zero)
    }

    @Test func aDroppedCallStopsHoldingItsReservationOnceItLapses() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget], reservationLifetime: .milliseconds(300))
        var call: MeteredCall? = try await meter.beginCall(
            provider: "openai", model: "gpt-5", input: .counted(inputTokens: 30, maxOutputTokens: 20))
        #expect(call?.reserved == Money(decimalUSD: "50"))
        call = nil
        // No longer renewed: the hold lapses after its lifetime, and nothing was recorded.
        var lapsed = false
        for _ in 0..<100 where !lapsed {
            try await Task.sleep(for: .milliseconds(50))
            lapsed = try ledger.usage(of: budget).reserved == .zero
        }
        #expect(lapsed, "the reservation of a dropped call must lapse")
        #expect(try recordedCalls(ledger).isEmpty)
    }

    @Test func aMeterFromTheConfigurationUsesItsLedgerPricingBudgetsAndProviderTypes() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("configured-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledgerPath = folder.appendingPathComponent("team.sqlite").path
        let config = """
            [ledger]
            path = "\(ledgerPath)"

            [providers.work]
            type = "openai"
            model = "gpt-4o-mini"

            [[budgets]]
            name = "daily"
            period = "day"
            limit_usd = 0.000001
            action = "block"
            """
        let configuration = try Configuration.parse(Array(config.utf8), file: "test.toml", environment: [:])
        let meter = try Meter(configuration: configuration)
        #expect(meter.ledger.path == ledgerPath)
        #expect(meter.budgets.map(\.name) == ["daily"])
        // `work` is priced as an OpenAI provider: its worst case has a price, and $0.000001 does not hold it.
        do {
            _ = try await meter.beginCall(provider: "work", model: "gpt-4o-mini", input: .counted(inputTokens: 1_000, maxOutputTokens: 100))
            Issue.record("the configured block budget must refuse the call")
        } catch let error as MeteringError {
            #expect(error.isBudgetExceeded && error.budget == "daily")
        }
        let call = try await meter.beginCall(provider: "work", model: "gpt-4o-mini", input: .counted(inputTokens: 1, maxOutputTokens: 0))
        #expect(call.worstCase.map { $0 > .zero } == true)
        await call.finish(status: .ok, usage: Usage(inputTokens: 1, outputTokens: 0))
        let record = try #require(try recordedCalls(meter.ledger).first)
        #expect(record.pricingProvider == "openai" && record.pricingEntry?.hasPrefix("openai/gpt-4o-mini@") == true)
    }
}
