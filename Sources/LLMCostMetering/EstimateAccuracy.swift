import Foundation
import LLMCostCore
import LLMCostStore

/// How far the meter's input-token estimates were from what providers reported, per model:
/// `llm-cost report --accuracy`. Error is (estimate − actual) / actual, in percent.
public struct EstimateAccuracy: Sendable {
    public struct Row: Sendable {
        public var provider: String
        public var model: String
        public var calls: Int
        /// Median and 90th percentile of the absolute relative error, in percent.
        public var medianErrorPercent: Double
        public var p90ErrorPercent: Double
        /// Median signed error: positive means the estimate runs high.
        public var medianBiasPercent: Double
    }

    public var rows: [Row]

    /// Reads every call with an estimate beside a reported usage in `[since, until)`.
    public init(ledger: Ledger, since: Int64? = nil, until: Int64? = nil) throws {
        var errors: [String: [Double]] = [:]
        try ledger.forEachCall(since: since, until: until) { record in
            guard record.usageSource == .reported, let estimate = record.estimatedUsage, estimate.inputTokens > 0 else { return }
            let actual = record.usage.totalInputTokens
            guard actual > 0 else { return }
            errors["\(record.provider)\u{0}\(record.model)", default: []].append(
                Double(estimate.inputTokens - actual) / Double(actual) * 100)
        }
        rows = errors.map { key, signed in
            let parts = key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
            let absolute = signed.map(abs).sorted()
            let sortedSigned = signed.sorted()
            return Row(
                provider: parts[0], model: parts.count > 1 ? parts[1] : "", calls: signed.count,
                medianErrorPercent: absolute[absolute.count / 2],
                p90ErrorPercent: absolute[min(absolute.count - 1, absolute.count * 9 / 10)],
                medianBiasPercent: sortedSigned[sortedSigned.count / 2])
        }.sorted { ($0.provider, $0.model) < ($1.provider, $1.model) }
    }

    public func table() -> String {
        var lines = ["PROVIDER    MODEL                         CALLS  MEDIAN ERR  P90 ERR  MEDIAN BIAS"]
        for row in rows {
            lines.append(
                row.provider.padding(toLength: 11, withPad: " ", startingAt: 0) + " "
                    + row.model.padding(toLength: 29, withPad: " ", startingAt: 0) + " "
                    + String(format: "%5d  %9.1f%%  %6.1f%%  %+10.1f%%", row.calls, row.medianErrorPercent, row.p90ErrorPercent, row.medianBiasPercent))
        }
        if rows.isEmpty { lines.append("(no metered calls with both an estimate and reported usage)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
