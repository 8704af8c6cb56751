import Foundation
import LLMCostCore
import LLMCostStore

/// How far the meter's input-token estimates were from what providers reported, per model,
/// before and after the per-model correction: `llm-cost report accuracy`.
/// Error is (estimate − actual) / actual, in percent.
public struct EstimateAccuracy: Sendable {
    /// Median and 90th percentile of the absolute error, and the median signed error.
    public struct ErrorSummary: Sendable, Equatable {
        public var medianErrorPercent: Double
        public var p90ErrorPercent: Double
        /// Median signed error: positive means the estimate runs high.
        public var medianBiasPercent: Double

        init(signedErrors: [Double]) {
            let absolute = signedErrors.map(abs).sorted()
            medianErrorPercent = absolute.median
            p90ErrorPercent = absolute.percentile90
            medianBiasPercent = signedErrors.sorted().median
        }
    }

    public struct Row: Sendable {
        public var provider: String
        public var model: String
        /// Calls with an estimate and provider-reported input.
        public var calls: Int
        /// Of those, calls whose estimate was a heuristic (the rest were counted exactly).
        public var heuristicCalls: Int
        /// The estimate as first made: the raw heuristic count, or the exact count.
        public var raw: ErrorSummary
        /// The estimate the meter used: raw times the correction in force at the time.
        public var corrected: ErrorSummary
        /// The correction the meter would apply now (`nil`: no heuristic calls to learn from).
        public var correction: EstimateCorrection?
    }

    public var rows: [Row]
    /// How the corrections were learned (the meter's default policy unless told otherwise).
    public var policy: EstimateCorrectionPolicy

    /// Reads every call with an estimate beside a reported usage in `[since, until)`; the
    /// current corrections come from the latest calls, as the meter reads them, at `now`.
    public init(
        ledger: Ledger, since: Int64? = nil, until: Int64? = nil, policy: EstimateCorrectionPolicy = .standard, now: Date = Date()
    ) throws {
        self.policy = policy
        struct Errors {
            var raw: [Double] = []
            var corrected: [Double] = []
            var heuristic = 0
        }
        var byModel: [ModelID: Errors] = [:]
        try ledger.forEachEstimateSample(since: since, until: until) { provider, model, sample in
            guard sample.actualTokens > 0, sample.rawTokens > 0 else { return }
            let actual = Double(sample.actualTokens)
            var errors = byModel[ModelID(provider: provider, model: model), default: Errors()]
            errors.raw.append((Double(sample.rawTokens) - actual) / actual * 100)
            errors.corrected.append((Double(sample.appliedTokens) - actual) / actual * 100)
            if sample.heuristic != nil { errors.heuristic += 1 }
            byModel[ModelID(provider: provider, model: model)] = errors
        }
        let since = Int64(((now.timeIntervalSince1970 - policy.window) * 1000).rounded(.down))
        rows = try byModel.map { id, errors in
            var correction: EstimateCorrection?
            if errors.heuristic > 0 {
                let samples = try ledger.recentHeuristicSamples(
                    provider: id.provider, model: id.model, since: since, limit: policy.maximumSamples)
                correction = EstimateCorrection.learn(from: samples, policy: policy)
            }
            return Row(
                provider: id.provider, model: id.model, calls: errors.raw.count, heuristicCalls: errors.heuristic,
                raw: ErrorSummary(signedErrors: errors.raw), corrected: ErrorSummary(signedErrors: errors.corrected),
                correction: correction)
        }.sorted { ($0.provider, $0.model) < ($1.provider, $1.model) }
    }
}
