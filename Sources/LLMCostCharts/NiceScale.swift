/// A linear scale from zero to a "nice" maximum, with ticks at round steps (1, 2, 2.5 or 5
/// times a power of ten): the value axis of a chart. Pure numbers, no markup.
public struct NiceScale: Sendable, Equatable {
    /// Tick values from 0 up to and including `maximum`, evenly spaced by `step`.
    public let ticks: [Double]
    /// The distance between ticks.
    public let step: Double

    /// The top of the axis: the last tick, at or above the largest value.
    public var maximum: Double { ticks.last ?? 1 }

    /// A scale covering `0...largestValue` with about `targetTickCount` intervals. A largest
    /// value of zero or less (or not finite) gives the axis `0...1`.
    public init(largestValue: Double, targetTickCount: Int = 5) {
        let count = Double(max(1, targetTickCount))
        guard largestValue.isFinite, largestValue > 0 else {
            step = Self.niceStep(1 / count)
            ticks = Self.ticks(step: step, upTo: 1)
            return
        }
        step = Self.niceStep(largestValue / count)
        ticks = Self.ticks(step: step, upTo: largestValue)
    }

    /// Where `value` falls along an axis `length` long, from 0 at zero to `length` at `maximum`
    /// (clamped to the axis).
    public func position(of value: Double, length: Double) -> Double {
        guard value.isFinite, maximum > 0 else { return 0 }
        return min(max(value / maximum, 0), 1) * length
    }

    /// How many decimals a tick label needs to tell the ticks apart (0 for steps of 1 or more).
    public var labelDecimals: Int {
        var decimals = 0
        var scaled = step
        while decimals < 9, (scaled - scaled.rounded()).magnitude > 1e-9 * max(1, scaled.magnitude) {
            scaled *= 10
            decimals += 1
        }
        return decimals
    }

    /// The smallest of 1, 2, 2.5, 5 and 10 times a power of ten that is at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        var power = 1.0
        while power * 10 <= raw { power *= 10 }
        while power > raw { power /= 10 }
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * power >= raw * (1 - 1e-12) {
            return factor * power
        }
        return 10 * power
    }

    private static func ticks(step: Double, upTo largest: Double) -> [Double] {
        let intervals = max(1, Int((largest / step * (1 - 1e-12)).rounded(.up)))
        // Multiplying (not adding) keeps 0.1 × 3 from drifting to 0.30000000000000004 twice.
        return (0...intervals).map { Double($0) * step }
    }
}
