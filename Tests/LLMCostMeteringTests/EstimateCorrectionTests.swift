import Foundation
import LLMCostCore
@testable import LLMCostMetering
import LLMCostPresentation
import LLMCostProviders
import LLMCostStore
import LLMCostTestSupport
import Testing

/// A provider that reports, for each request, the input tokens `reportedInput` computes from
/// it (`nil`: it reports no usage at all, like a server that never does).
private struct ScriptedUsageProvider: LLMProvider {
    var name = "anthropic"
    var defaultModel = "claude-sonnet-4-5"
    var reportedInput: @Sendable (ChatRequest) -> Int64?
    func capabilities(for model: String) -> ProviderCapabilities { ProviderCapabilities() }
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let input = reportedInput(request)
        return AsyncThrowingStream { continuation in
            continuation.yield(.started(StreamStart(requestID: "req-\(UUID().uuidString)")))
            continuation.yield(.textDelta("ok"))
            continuation.yield(.finished(
                stopReason: StopReason(kind: .endTurn, raw: "end_turn"),
                usage: input.map { Usage(inputTokens: $0, outputTokens: 1) }))
            continuation.finish()
        }
    }
}

private func dollars(_ amount: Int64) -> Money { Money(nanoUSD: amount * Money.unitsPerDollar) }

/// A different prompt per call, as an agent sends: the correction must hold across prompts.
private func prompt(_ index: Int) -> ChatRequest {
    .user("Item \(index): " + String(repeating: "the quick brown fox jumps over the lazy dog, again and again. ", count: 4 + index % 7),
          maxTokens: 10)
}

/// The N of a `prompt(N)` request.
private func itemIndex(_ request: ChatRequest) -> Int {
    guard case .user(let parts)? = request.messages.first, case .text(let text)? = parts.first else { return 0 }
    return Int(text.dropFirst("Item ".count).prefix { $0.isNumber }) ?? 0
}

/// Relative jitter per call, so the observed spread is not zero.
private let jitter: [Double] = [-0.03, 0.02, 0.0, 0.04, -0.01, 0.01, -0.02, 0.03, 0.0, -0.04]

/// The heuristic's raw count for a request: a meter with correction off.
private func rawTokens(_ request: ChatRequest, ledger: Ledger, model: String = "claude-sonnet-4-5") -> Int64 {
    Meter(ledger: ledger, pricing: nil, estimateCorrection: .disabled)
        .inputEstimate(for: request, provider: "anthropic", model: model).tokens
}

/// A provider whose real input runs `ratio` times the heuristic's raw count, give or take the jitter.
private func provider(ratio: Double, ledger: Ledger) -> ScriptedUsageProvider {
    ScriptedUsageProvider { request in
        let raw = rawTokens(request, ledger: ledger)
        let index = itemIndex(request)
        return Int64((Double(raw) * ratio * (1 + jitter[index % jitter.count])).rounded())
    }
}

private func temporaryLedgerPath() throws -> (String, URL) {
    let folder = try temporaryFolder("estimate-correction")
    return (folder.appendingPathComponent("ledger.sqlite").path, folder)
}

private func lastCall(_ ledger: Ledger) throws -> CallRecord? {
    var last: CallRecord?
    try ledger.forEachCall { last = $0 }
    return last
}

@Suite struct EstimateCorrectionTests {
    @Test func aHeuristicRunningTwentyPercentLowIsCorrectedAfterEnoughRecordedCalls() async throws {
        let (path, folder) = try temporaryLedgerPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger(path: path)
        let meter = Meter(ledger: ledger, pricing: DollarPerToken())
        // Real input is 1.25 × the heuristic: the heuristic runs 20% low.
        let metered = MeteredProvider(provider(ratio: 1.25, ledger: ledger), meter: meter)
        for index in 0..<4 {
            _ = try await metered.complete(prompt(index))
            let correction = meter.estimateCorrection(provider: "anthropic", model: "claude-sonnet-4-5")
            #expect(!correction.isActive, "only \(index + 1) calls: too few to correct")
            #expect(correction.samples == index + 1)
        }
        let uncorrected = meter.inputEstimate(for: prompt(5), provider: "anthropic", model: "claude-sonnet-4-5")
        #expect(uncorrected.heuristic?.factorPartsPerMillion == HeuristicInputEstimate.noCorrection)

        _ = try await metered.complete(prompt(4))
        let correction = meter.estimateCorrection(provider: "anthropic", model: "claude-sonnet-4-5")
        #expect(correction.isActive)
        #expect(correction.samples == 5)
        #expect(abs(correction.factor - 1.25) < 1.25 * 0.045, "factor \(correction.factor)")
        #expect(correction.band >= 0.05 && correction.band < 0.1, "band \(correction.band)")

        // The next call is estimated from the raw count times the factor, and recorded with both.
        let corrected = meter.inputEstimate(for: prompt(5), provider: "anthropic", model: "claude-sonnet-4-5")
        #expect(corrected.heuristic?.rawTokens == uncorrected.tokens)
        #expect(corrected.heuristic?.factorPartsPerMillion == correction.factorPartsPerMillion)
        _ = try await metered.complete(prompt(5))
        let record = try #require(try lastCall(ledger))
        let actual = record.usage.totalInputTokens
        let estimated = try #require(record.estimatedUsage?.inputTokens)
        #expect(estimated == corrected.tokens)
        // The ledger keeps the raw count and the factor beside the estimate used.
        let stored = try #require(try ledger.recentHeuristicSamples(
            provider: "anthropic", model: "claude-sonnet-4-5", since: 0, limit: 1).first)
        #expect(stored.heuristic == corrected.heuristic)
        #expect(stored.appliedTokens == corrected.tokens && stored.actualTokens == actual)
        #expect(abs(Double(estimated - actual)) / Double(actual) < 0.06, "corrected \(estimated) vs actual \(actual)")
        #expect(abs(Double(uncorrected.tokens - actual)) / Double(actual) > 0.15, "raw \(uncorrected.tokens) vs actual \(actual)")
        // The worst case reserved is the corrected band's upper end, and it covers the actual.
        #expect(record.estimatedCost == dollars(corrected.high + 10))
        #expect(corrected.high >= actual)
    }

    @Test func theCorrectedWorstCaseChangesWhatABudgetAdmitsInANewProcess() async throws {
        let (path, folder) = try temporaryLedgerPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        // One process records calls of a model whose heuristic runs 40% high.
        let first = try Ledger(path: path)
        let learner = MeteredProvider(provider(ratio: 0.6, ledger: first), meter: Meter(ledger: first, pricing: DollarPerToken()))
        for index in 0..<6 { _ = try await learner.complete(prompt(index)) }

        // Another process opens the same file: it learns from the ledger, not from memory.
        let second = try Ledger(path: path)
        var spent = Money.zero
        try second.forEachCall { spent = spent + ($0.cost ?? .zero) }
        let request = prompt(7)
        let raw = Meter(ledger: second, pricing: nil, estimateCorrection: .disabled)
            .inputEstimate(for: request, provider: "anthropic", model: "claude-sonnet-4-5")
        let probe = Meter(ledger: second, pricing: nil)
        let corrected = probe.inputEstimate(for: request, provider: "anthropic", model: "claude-sonnet-4-5")
        #expect(corrected.tokens < raw.tokens)
        #expect(corrected.high < raw.high, "the corrected worst case \(corrected.high) should be below the raw \(raw.high)")

        // A budget with room between the two worst cases.
        let room = (raw.high + corrected.high) / 2 + 10
        let budget = BudgetDefinition(name: "cap", period: .total, limit: spent + dollars(room), action: .block)
        let stub = provider(ratio: 0.6, ledger: second)
        let uncorrectedMeter = Meter(ledger: second, pricing: DollarPerToken(), budgets: [budget], estimateCorrection: .disabled)
        await #expect(throws: MeteringError.self) {
            _ = try await MeteredProvider(stub, meter: uncorrectedMeter).complete(request)
        }
        let correctedMeter = Meter(ledger: second, pricing: DollarPerToken(), budgets: [budget])
        _ = try await MeteredProvider(stub, meter: correctedMeter).complete(request)
        let record = try #require(try lastCall(second))
        #expect(record.estimatedCost == dollars(corrected.high + 10))
        #expect(try second.usage(of: budget).reserved == .zero)
    }

    @Test func aMeterSeesCorrectionsOtherProcessesTaughtOnceItsCacheIsStale() async throws {
        let (path, folder) = try temporaryLedgerPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let watcher = Meter(ledger: try Ledger(path: path), pricing: nil)
        #expect(!watcher.estimateCorrection(provider: "anthropic", model: "claude-sonnet-4-5").isActive)

        let ledger = try Ledger(path: path)
        let teacher = Meter(ledger: ledger, pricing: nil)
        let metered = MeteredProvider(provider(ratio: 1.25, ledger: ledger), meter: teacher)
        for index in 0..<5 { _ = try await metered.complete(prompt(index)) }
        let taught = teacher.estimateCorrection(provider: "anthropic", model: "claude-sonnet-4-5")
        #expect(taught.isActive)

        // The watcher's cached answer holds until it is stale (no ledger query per call)...
        #expect(!watcher.estimateCorrection(provider: "anthropic", model: "claude-sonnet-4-5").isActive)
        // ...then one read brings the same correction.
        let later = Date().addingTimeInterval(EstimateCorrectionPolicy.standard.refreshInterval + 1)
        #expect(watcher.estimateCorrection(provider: "anthropic", model: "claude-sonnet-4-5", now: later) == taught)
    }

    @Test func callsWithEstimatedUsageNeverFeedTheCorrection() async throws {
        let (path, folder) = try temporaryLedgerPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger(path: path)
        let meter = Meter(ledger: ledger, pricing: nil)
        let silent = MeteredProvider(ScriptedUsageProvider { _ in nil }, meter: meter)
        for index in 0..<8 { _ = try await silent.complete(prompt(index)) }
        var sources: [UsageSource] = []
        try ledger.forEachCall { sources.append($0.usageSource) }
        #expect(sources == Array(repeating: .estimated, count: 8))
        let samples = try ledger.recentHeuristicSamples(provider: "anthropic", model: "claude-sonnet-4-5", since: 0, limit: 200)
        #expect(samples.isEmpty)
        let correction = meter.estimateCorrection(provider: "anthropic", model: "claude-sonnet-4-5")
        #expect(!correction.isActive && correction.samples == 0)
        // The report sees no reported usage either.
        #expect(try EstimateAccuracy(ledger: ledger).rows.isEmpty)
    }

    @Test func exactEstimatesAreNeverCorrected() {
        let correction = EstimateCorrection(factor: 2, band: 0.1, samples: 50, isActive: true)
        let exact = correction.apply(to: InputEstimator.Estimate(tokens: 100, high: 100, isExact: true))
        #expect(exact == InputEstimate(tokens: 100, high: 100, heuristic: nil))
        let heuristic = correction.apply(to: InputEstimator.Estimate(tokens: 100, high: 130, isExact: false))
        #expect(heuristic == InputEstimate(
            tokens: 200, high: 220, heuristic: HeuristicInputEstimate(rawTokens: 100, factorPartsPerMillion: 2_000_000)))
        // Inactive: the heuristic and its own band, with the raw count kept for learning.
        let learning = EstimateCorrection.none.apply(to: InputEstimator.Estimate(tokens: 100, high: 130, isExact: false))
        #expect(learning == InputEstimate(tokens: 100, high: 130, heuristic: HeuristicInputEstimate(rawTokens: 100)))
    }

    @Test func learningIsRobustClampedAndNeedsEnoughSamples() {
        func sample(raw: Int64, actual: Int64, factor: Int64 = 1_000_000) -> EstimateSample {
            EstimateSample(appliedTokens: raw * factor / 1_000_000, heuristic: HeuristicInputEstimate(rawTokens: raw, factorPartsPerMillion: factor),
                           actualTokens: actual)
        }
        let policy = EstimateCorrectionPolicy.standard
        // Four calls: not yet.
        let few = (0..<4).map { _ in sample(raw: 100, actual: 120) }
        #expect(EstimateCorrection.learn(from: few, policy: policy) == EstimateCorrection(factor: 1, band: 0, samples: 4, isActive: false))
        // One absurd call does not move the median; the factor comes from raw counts, whatever was applied.
        var many = (0..<9).map { sample(raw: 100, actual: 120, factor: $0 % 3 == 0 ? 1_000_000 : 1_200_000) }
        many.append(sample(raw: 100, actual: 5_000))
        let learned = EstimateCorrection.learn(from: many, policy: policy)
        #expect(learned.isActive && learned.samples == 10)
        #expect(abs(learned.factor - 1.2) < 1e-9)
        #expect(learned.band == policy.minimumBand) // 9 of 10 exact: the floor
        // A factor beyond the sane range is clamped; the band then widens to cover the rest.
        let wild = EstimateCorrection.learn(from: (0..<6).map { _ in sample(raw: 100, actual: 300) }, policy: policy)
        #expect(wild.factor == policy.factorRange.upperBound)
        #expect(abs(wild.band - 0.5) < 1e-9)
        // Calls without a raw heuristic count (exact estimates) teach nothing.
        let exact = (0..<6).map { _ in EstimateSample(appliedTokens: 100, heuristic: nil, actualTokens: 150) }
        #expect(EstimateCorrection.learn(from: exact, policy: policy).samples == 0)
        #expect(!EstimateCorrection.learn(from: many, policy: .disabled).isActive)
    }

    @Test func accuracyReportShowsRawAndCorrectedErrorAndTheFactor() async throws {
        let (path, folder) = try temporaryLedgerPath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger(path: path)
        let metered = MeteredProvider(provider(ratio: 1.25, ledger: ledger), meter: Meter(ledger: ledger, pricing: nil))
        for index in 0..<15 { _ = try await metered.complete(prompt(index)) }
        let report = try EstimateAccuracy(ledger: ledger)
        let row = try #require(report.rows.first)
        #expect(report.rows.count == 1)
        #expect(row.provider == "anthropic" && row.model == "claude-sonnet-4-5")
        #expect(row.calls == 15 && row.heuristicCalls == 15)
        // Raw: 20% low. As corrected: the first five ran raw, the other ten within a few percent.
        #expect(row.raw.medianBiasPercent < -16 && row.raw.medianBiasPercent > -24, "\(row.raw)")
        #expect(row.corrected.medianErrorPercent < 6, "\(row.corrected)")
        #expect(row.corrected.medianErrorPercent < row.raw.medianErrorPercent)
        let correction = try #require(row.correction)
        #expect(correction.isActive && correction.samples == 15)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let model = try #require((json["models"] as? [[String: Any]])?.first)
        #expect(model["calls"] as? Int == 15)
        #expect((model["correction"] as? [String: Any])?["active"] as? Bool == true)
        #expect(((model["raw"] as? [String: Any])?["median_bias_percent"] as? Double ?? 0) < -16)
        #expect(report.table().contains("as corrected"))
    }
}
