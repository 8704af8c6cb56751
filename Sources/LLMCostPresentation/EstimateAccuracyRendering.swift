import Foundation
import LLMCostCore
import LLMCostMetering

extension EstimateAccuracy {
    /// A fixed-width table: the estimate as made, as corrected, and the factor now in force.
    public func table() -> String {
        let heading = "PROVIDER    MODEL                         CALLS  MEDIAN ERR  P90 ERR  MEDIAN BIAS"
        var lines = [
            String(repeating: " ", count: 48) + "raw estimate" + String(repeating: " ", count: 26) + "as corrected",
            heading + "  MEDIAN ERR  P90 ERR  MEDIAN BIAS  FACTOR   BAND",
        ]
        func columns(_ summary: ErrorSummary) -> String {
            String(format: "  %9.1f%%  %6.1f%%  %+10.1f%%", summary.medianErrorPercent, summary.p90ErrorPercent, summary.medianBiasPercent)
        }
        for row in rows {
            var factor = "exact    -"
            if let correction = row.correction {
                factor = correction.isActive
                    ? String(format: "%6.3f  ±%4.1f%%", correction.factor, correction.band * 100)
                    : "learning \(correction.samples)/\(policy.minimumSamples)"
            }
            lines.append(
                row.provider.padding(toLength: 11, withPad: " ", startingAt: 0) + " "
                    + row.model.padding(toLength: 29, withPad: " ", startingAt: 0) + " "
                    + String(format: "%5d", row.calls) + columns(row.raw) + columns(row.corrected) + "  " + factor)
        }
        if rows.isEmpty { lines.append("(no metered calls with both an estimate and reported usage)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same figures as JSON: `{"models": [...]}`, percentages rounded to 0.01.
    public func json() -> String {
        var json = JSONWriter()
        func number(_ value: Double) -> String { String(format: "%.2f", value) }
        func summary(_ name: StaticString, _ summary: ErrorSummary) {
            json.raw(",\"")
            json.raw(name)
            json.raw("\":{\"median_error_percent\":" + number(summary.medianErrorPercent))
            json.raw(",\"p90_error_percent\":" + number(summary.p90ErrorPercent))
            json.raw(",\"median_bias_percent\":" + number(summary.medianBiasPercent) + "}")
        }
        json.raw("{\"models\":[")
        for (index, row) in rows.enumerated() {
            json.raw(index == 0 ? "{\"provider\":" : ",{\"provider\":")
            json.string(row.provider)
            json.raw(",\"model\":")
            json.string(row.model)
            json.raw(",\"calls\":\(row.calls),\"heuristic_calls\":\(row.heuristicCalls)")
            summary("raw", row.raw)
            summary("corrected", row.corrected)
            json.raw(",\"correction\":")
            if let correction = row.correction {
                json.raw("{\"active\":\(correction.isActive),\"samples\":\(correction.samples)")
                json.raw(",\"factor\":" + String(format: "%.4f", correction.factor))
                json.raw(",\"band_percent\":" + number(correction.band * 100) + "}")
            } else {
                json.raw("null")
            }
            json.raw("}")
        }
        json.raw("]}\n")
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
