import Foundation
import LLMCostCore
import LLMCostMetering

extension EstimateAccuracy {
    /// A table: the estimate as made, as corrected, and the factor now in force.
    public func table() -> String {
        func percent(_ value: Double, signed: Bool = false) -> String { String(format: signed ? "%+.1f%%" : "%.1f%%", value) }
        let cells = rows.map { row -> [String] in
            var factor = "exact    -"
            if let correction = row.correction {
                factor = correction.isActive
                    ? String(format: "%6.3f  ±%4.1f%%", correction.factor, correction.band * 100)
                    : "learning \(correction.samples)/\(policy.minimumSamples)"
            }
            return [row.provider, row.model, String(row.calls)]
                + [row.raw, row.corrected].flatMap { summary in
                    [percent(summary.medianErrorPercent), percent(summary.p90ErrorPercent), percent(summary.medianBiasPercent, signed: true)]
                } + [factor]
        }
        let header = [
            "PROVIDER", "MODEL", "CALLS", "MEDIAN ERR", "P90 ERR", "MEDIAN BIAS", "MEDIAN ERR", "P90 ERR", "MEDIAN BIAS", "FACTOR   BAND",
        ]
        let table = TextTable(header: header, rows: cells, rightAligned: Set(2...8))
        // "raw estimate" over the first three error columns, "as corrected" over the next three.
        let widths = table.widths
        func start(ofColumn column: Int) -> Int { table.totalWidth(Array(widths[..<column])) + (column > 0 ? table.gap : 0) }
        let rawStart = start(ofColumn: 3)
        let correctedStart = start(ofColumn: 6)
        let groups = String(repeating: " ", count: rawStart) + "raw estimate"
            + String(repeating: " ", count: max(1, correctedStart - rawStart - "raw estimate".count)) + "as corrected"
        var lines = [groups] + table.lines
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
