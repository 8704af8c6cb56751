import Foundation
import LLMCostConfig
import LLMCostCore
import LLMCostMetering
import LLMCostProviders
import LLMCostSimulator
import LLMCostStore
import LLMCostTestSupport
import Testing

/// A provider answering at once with fixed usage: 10 input and 5 output tokens.
private struct QuickProvider: LLMProvider {
    var name = "stub"
    var defaultModel = "stub-model"
    func capabilities(for model: String) -> ProviderCapabilities { ProviderCapabilities() }
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        AsyncThrowingStream { continuation in
            continuation.yield(.started(StreamStart(requestID: "req-\(UUID().uuidString)")))
            continuation.yield(.textDelta("done"))
            continuation.yield(.finished(stopReason: StopReason(kind: .endTurn, raw: "end_turn"), usage: Usage(inputTokens: 10, outputTokens: 5)))
            continuation.finish()
        }
    }
}

/// Alerts through the webhook (the simulator's webhook sink, a real HTTP server on loopback) and the log, sent by a meter in
/// the background.
@Suite struct AlertDeliveryTests {
    /// A $20 warn budget alerting at 50%: the first $15 call crosses it.
    let budget = BudgetDefinition(name: "team-cap", period: .total, limit: Money(decimalUSD: "20")!, alertThresholdsBasisPoints: [5000])

    private func webhookSettings(_ receiver: ProviderSimulator, timeoutMilliseconds: Int64 = 5000, retries: Int64 = 0) -> AlertSettings {
        var settings = AlertSettings()
        settings.log = false
        settings.webhookURL = receiver.webhookURL
        settings.webhookTimeoutMilliseconds = timeoutMilliseconds
        settings.webhookRetries = retries
        return settings
    }

    @Test func webhookPostsSlackTextAndStructuredFields() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let receiver = ProviderSimulator()
        try receiver.start()
        defer { receiver.stop() }
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget], alerts: AlertDispatcher(settings: webhookSettings(receiver)))
        _ = try await MeteredProvider(QuickProvider(), meter: meter).complete(.user("hi", maxTokens: 10))
        await meter.waitForPendingAlerts()

        let request = try #require(receiver.webhookRequests.first)
        #expect(receiver.webhookRequests.count == 1)
        #expect(request.method == "POST")
        #expect(request.path == "/hooks/alerts")
        #expect(request.headers["content-type"] == "application/json")
        let json = try #require(request.json)
        #expect(json["text"] as? String == "budget \"team-cap\" reached 50% of its limit: spent $15.0000 of $20.0000")
        #expect(json["budget"] as? String == "team-cap")
        #expect(json["threshold"] as? String == "0.5")
        #expect(json["spent_usd"] as? String == "15.000000000")
        #expect(json["limit_usd"] as? String == "20.000000000")
        #expect((json["period_start_ms"] as? NSNumber)?.int64Value == -1)
        #expect(Set(json.keys) == ["text", "budget", "threshold", "spent_usd", "limit_usd", "period_start_ms"])
        let alert = try #require(try ledger.alerts().first)
        #expect(alert.delivered && alert.attempts == 1 && alert.lastError == nil)
    }

    @Test func anErrorStatusIsRetriedWithinOneDelivery() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let receiver = ProviderSimulator()
        try receiver.start()
        defer { receiver.stop() }
        receiver.scriptWebhooks(.status(500), .status(200))
        let meter = Meter(
            ledger: ledger, pricing: DollarPerToken(), budgets: [budget],
            alerts: AlertDispatcher(settings: webhookSettings(receiver, retries: 2)))
        _ = try await MeteredProvider(QuickProvider(), meter: meter).complete(.user("hi", maxTokens: 10))
        await meter.waitForPendingAlerts()

        #expect(receiver.webhookRequests.count == 2)
        #expect(receiver.webhookRequests.map(\.body) == [receiver.webhookRequests[0].body, receiver.webhookRequests[0].body]) // the same alert twice
        let alert = try #require(try ledger.alerts().first)
        #expect(alert.delivered)
        #expect(alert.attempts == 1) // one delivery, two HTTP tries
    }

    @Test func aSilentWebhookTimesOutIsRecordedAndALaterCallRetriesItOnce() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let receiver = ProviderSimulator()
        try receiver.start()
        defer { receiver.stop() }
        receiver.scriptWebhooks(.silence)
        let timeout: Int64 = 300
        // Retries are due at once, so the next call's check retries.
        let dispatcher = AlertDispatcher(settings: webhookSettings(receiver, timeoutMilliseconds: timeout), retryAfter: .zero)
        let meter = Meter(ledger: ledger, pricing: DollarPerToken(), budgets: [budget], alerts: dispatcher)
        let provider = MeteredProvider(QuickProvider(), meter: meter)

        let clock = ContinuousClock()
        let started = clock.now
        _ = try await provider.complete(.user("first", maxTokens: 10))
        await meter.waitForPendingAlerts()
        let waited = clock.now - started
        let failed = try #require(try ledger.alerts().first)
        #expect(!failed.delivered)
        #expect(failed.attempts == 1)
        #expect(failed.lastError == "webhook timed out after 300 ms", "\(failed.lastError ?? "no error")")
        #expect(receiver.webhookRequests.count == 1)
        // The configured timeout applied, not URLSession's default minute (what the shared
        // session did on Linux): the bound is loose on purpose, for a loaded machine.
        #expect(waited >= .milliseconds(timeout))
        #expect(waited < .seconds(20))

        // The next call's check retries the failed alert once, and it gets through.
        _ = try await provider.complete(.user("second", maxTokens: 10))
        await meter.waitForPendingAlerts()
        let retried = try #require(try ledger.alerts().first)
        #expect(retried.delivered)
        #expect(retried.attempts == 2)
        #expect(retried.lastError == nil)
        #expect(receiver.webhookRequests.count == 2)
        // Delivered: no further call sends it again.
        _ = try await provider.complete(.user("third", maxTokens: 10))
        await meter.waitForPendingAlerts()
        #expect(receiver.webhookRequests.count == 2)
    }

    @Test func aSlowWebhookDoesNotHoldTheCall() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let receiver = ProviderSimulator()
        try receiver.start()
        defer { receiver.stop() }
        receiver.scriptWebhooks(.silence)
        // A minute's timeout: were the alert sent inline, the call would wait for the webhook
        // and return with the delivery already failed.
        let meter = Meter(
            ledger: ledger, pricing: DollarPerToken(), budgets: [budget],
            alerts: AlertDispatcher(settings: webhookSettings(receiver, timeoutMilliseconds: 60_000)))
        _ = try await MeteredProvider(QuickProvider(), meter: meter).complete(.user("hi", maxTokens: 10))
        // The call is back while the webhook has not answered (it answers only on release).
        #expect(try ledger.alerts().allSatisfy { !$0.delivered && $0.lastError == nil })
        receiver.releaseWebhooks()
        await meter.waitForPendingAlerts()
        let alert = try #require(try ledger.alerts().first)
        #expect(alert.delivered)
        #expect(receiver.webhookRequests.count == 1)
    }

    @Test func theLogChannelWritesOneLinePerThreshold() async throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = CollectedLines()
        var settings = AlertSettings()
        settings.log = true
        let budget = BudgetDefinition(
            name: "daily \"ops\"", period: .total, limit: Money(decimalUSD: "40")!, alertThresholdsBasisPoints: [2500, 3333, 7500, 10_000])
        let meter = Meter(
            ledger: ledger, pricing: DollarPerToken(), budgets: [budget],
            alerts: AlertDispatcher(settings: settings, log: { lines.append($0) }))
        let provider = MeteredProvider(QuickProvider(), meter: meter)
        _ = try await provider.complete(.user("one", maxTokens: 10)) // $15 of $40: 37.5%
        await meter.waitForPendingAlerts()
        _ = try await provider.complete(.user("two", maxTokens: 10)) // $30: 75%
        await meter.waitForPendingAlerts()
        #expect(lines.all == [
            "budget \"daily \"ops\"\" reached 25% of its limit: spent $15.0000 of $40.0000",
            "budget \"daily \"ops\"\" reached 33.33% of its limit: spent $15.0000 of $40.0000",
            "budget \"daily \"ops\"\" reached 75% of its limit: spent $30.0000 of $40.0000",
        ])
    }

    /// A command that hangs is stopped after its timeout and the delivery counts as failed
    /// (to be retried), instead of holding the process (and its exit) forever.
    @Test func aHangingCommandIsStoppedAndCountsAsFailed() async throws {
        var settings = AlertSettings()
        settings.log = false
        settings.command = "sleep 30"
        settings.commandTimeoutMilliseconds = 300
        let alert = AlertRecord(
            budget: "b", periodKey: -1, thresholdBasisPoints: 5000, firedAt: 0, spent: Money(decimalUSD: "1")!,
            limit: Money(decimalUSD: "2")!, delivered: false, attempts: 1, lastError: nil)
        let failure = await AlertDispatcher(settings: settings).deliver(alert)
        #expect(failure == "command still running after 300 ms; stopped")
        settings.command = "exit 3"
        #expect(await AlertDispatcher(settings: settings).deliver(alert) == "command exited with status 3")
        settings.command = "true"
        #expect(await AlertDispatcher(settings: settings).deliver(alert) == nil)
    }
}
