import Foundation
import LLMCostCore
import LLMCostStore

/// How the meter learns per-model corrections of its heuristic input estimates from the
/// ledger, and how often it looks again.
public struct EstimateCorrectionPolicy: Sendable, Equatable {
    /// `false`: heuristic estimates are used as the heuristic makes them.
    public var isEnabled: Bool
    /// Learn from at most this many of a model's latest calls...
    public var maximumSamples: Int
    /// ...made within this many seconds.
    public var window: TimeInterval
    /// Below this many calls the raw heuristic stands: a median of two says little.
    public var minimumSamples: Int
    /// A learned factor outside this range is clamped: beyond it something else is wrong
    /// (a proxy rewriting prompts, a mislabelled model), and the band has to cover the rest.
    public var factorRange: ClosedRange<Double>
    /// The narrowest band a correction may claim (relative half-width): a tight spread over
    /// recent prompts says little about the next, different prompt.
    public var minimumBand: Double
    /// The widest band (relative half-width), so one absurd call cannot make every
    /// reservation huge.
    public var maximumBand: Double
    /// A cached correction older than this many seconds is read again (other processes
    /// writing to the same ledger teach it too).
    public var refreshInterval: TimeInterval
    /// Read again after this process recorded this many new samples of the model (one while
    /// the model has fewer than `minimumSamples`, so a new model is corrected promptly).
    public var refreshAfterSamples: Int

    public init(
        isEnabled: Bool = true, maximumSamples: Int = 200, window: TimeInterval = 30 * 86_400, minimumSamples: Int = 5,
        factorRange: ClosedRange<Double> = 0.5...2.0, minimumBand: Double = 0.05, maximumBand: Double = 1.0,
        refreshInterval: TimeInterval = 60, refreshAfterSamples: Int = 100
    ) {
        self.isEnabled = isEnabled
        self.maximumSamples = max(1, maximumSamples)
        self.window = window
        self.minimumSamples = max(1, minimumSamples)
        self.factorRange = factorRange
        self.minimumBand = max(0, minimumBand)
        self.maximumBand = max(self.minimumBand, maximumBand)
        self.refreshInterval = refreshInterval
        self.refreshAfterSamples = max(1, refreshAfterSamples)
    }

    /// The defaults: the last 200 calls of the last 30 days, at least 5, factor within 0.5–2,
    /// band at least ±5%, refreshed every minute or every 100 new calls (1% of calls pay a ~40 µs read).
    public static let standard = EstimateCorrectionPolicy()
    /// No correction: heuristic estimates as made.
    public static let disabled = EstimateCorrectionPolicy(isEnabled: false)
}

/// A model's correction, learned from its recent calls: the heuristic's raw count times
/// `factor` is the estimate, and `band` the relative half-width of its error band.
public struct EstimateCorrection: Sendable, Equatable {
    /// Median of actual / raw-estimate over the samples (1 while inactive), clamped.
    public var factor: Double
    /// 90th percentile of |actual / corrected − 1| over the samples, within the policy's floor
    /// and ceiling (0 while inactive: the heuristic's own band stands).
    public var band: Double
    /// Calls learned from.
    public var samples: Int
    /// Enough samples to apply; otherwise the raw heuristic and its band stand.
    public var isActive: Bool

    /// No correction: the heuristic as it is.
    public static let none = EstimateCorrection(factor: 1, band: 0, samples: 0, isActive: false)

    /// Learns from calls' raw heuristic counts and reported input. The raw count, never the
    /// corrected one, so a correction does not feed on itself.
    public static func learn(from samples: [EstimateSample], policy: EstimateCorrectionPolicy) -> EstimateCorrection {
        var ratios: [Double] = []
        ratios.reserveCapacity(samples.count)
        for sample in samples {
            guard let raw = sample.heuristic?.rawTokens, raw > 0, sample.actualTokens > 0 else { continue }
            ratios.append(Double(sample.actualTokens) / Double(raw))
        }
        guard policy.isEnabled, ratios.count >= policy.minimumSamples else {
            return EstimateCorrection(factor: 1, band: 0, samples: ratios.count, isActive: false)
        }
        ratios.sort()
        let factor = min(max(ratios.median, policy.factorRange.lowerBound), policy.factorRange.upperBound)
        let deviations = ratios.map { abs($0 / factor - 1) }.sorted()
        let band = min(max(deviations.percentile90, policy.minimumBand), policy.maximumBand)
        return EstimateCorrection(factor: factor, band: band, samples: ratios.count, isActive: true)
    }

    /// The factor as stored with each call, in parts per million.
    public var factorPartsPerMillion: Int64 {
        isActive ? Int64((factor * 1_000_000).rounded()) : HeuristicInputEstimate.noCorrection
    }

    /// Applies the correction to an estimate: exact estimates pass through untouched.
    func apply(to estimate: InputEstimator.Estimate) -> InputEstimate {
        guard !estimate.isExact else {
            return InputEstimate(
                tokens: estimate.tokens, high: estimate.high, heuristic: nil, cachedPrefixHigh: estimate.cachedPrefixHigh,
                oneHourPrefixHigh: estimate.oneHourPrefixHigh)
        }
        guard isActive else {
            return InputEstimate(
                tokens: estimate.tokens, high: estimate.high, heuristic: HeuristicInputEstimate(rawTokens: estimate.tokens),
                cachedPrefixHigh: estimate.cachedPrefixHigh, oneHourPrefixHigh: estimate.oneHourPrefixHigh)
        }
        let corrected = Double(estimate.tokens) * factor
        let tokens = Int64(corrected.rounded())
        // The worst case for budgets: the upper end of the observed spread, at least one token above.
        // (Rounded to a millionth first, so 200 × 1.1 does not become 221 through binary noise.)
        let upper = ((corrected * (1 + band)) * 1_000_000).rounded() / 1_000_000
        let high = max(tokens + 1, Int64(upper.rounded(.up)))
        // The cached prefixes scale with the whole (never past it).
        let scale = estimate.high > 0 ? Double(high) / Double(estimate.high) : 1
        func scaled(_ prefix: Int64) -> Int64 { min(high, Int64((Double(prefix) * scale).rounded(.up))) }
        return InputEstimate(
            tokens: tokens, high: high,
            heuristic: HeuristicInputEstimate(rawTokens: estimate.tokens, factorPartsPerMillion: factorPartsPerMillion),
            cachedPrefixHigh: scaled(estimate.cachedPrefixHigh), oneHourPrefixHigh: scaled(estimate.oneHourPrefixHigh))
    }
}

/// What the meter assumes about a request's input tokens before sending it.
public struct InputEstimate: Sendable, Equatable {
    /// The central estimate (corrected, for a heuristic with enough recorded calls).
    public var tokens: Int64
    /// The upper end of the band: what budgets reserve for.
    public var high: Int64
    /// The raw heuristic count and the factor applied; `nil` when counted exactly.
    public var heuristic: HeuristicInputEstimate?
    /// Of `high`, the prefix up to the request's last cache breakpoint (0 without one), and the
    /// part of that up to its last one-hour breakpoint: input that may be written to the cache.
    public var cachedPrefixHigh: Int64 = 0
    public var oneHourPrefixHigh: Int64 = 0
}

extension Array where Element == Double {
    /// The middle value of a sorted array (the upper middle for an even count).
    var median: Double { isEmpty ? 0 : self[count / 2] }
    /// The 90th percentile of a sorted array, by nearest rank: the ⌈0.9·n⌉-th value, so one
    /// outlier in ten does not set it.
    var percentile90: Double { isEmpty ? 0 : self[Swift.max(0, (count * 9 + 9) / 10 - 1)] }
}
