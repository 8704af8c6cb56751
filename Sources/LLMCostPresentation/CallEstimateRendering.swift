import Foundation
import LLMCostCore
import LLMCostMetering

extension CallEstimate {
    /// The estimate for people: model, input, output and the three costs.
    public func text() -> String {
        var inputLine = "\(grouped(input.tokens)) tokens"
        if inputIsExact {
            inputLine += " (exact: the model's tokenizer)"
        } else {
            inputLine += " (heuristic, up to \(grouped(input.high))"
            if correction.isActive {
                inputLine += "; corrected x\(factorText) from \(correction.samples) recorded calls"
            }
            inputLine += ")"
        }
        var outputLine = "at most \(grouped(maxOutput)) (\(maxOutputBasis))"
        if let expectedOutput {
            outputLine = "expected \(grouped(expectedOutput)) (\(expectedOutputBasis ?? "given")), " + outputLine
        }
        let costLine: String
        if let worstCaseCost {
            var parts = ["input \(show(inputCost))"]
            if let expectedCost { parts.append("expected \(show(expectedCost))") }
            parts.append("worst case \(show(worstCaseCost)) (what a block budget reserves)")
            costLine = parts.joined(separator: ", ")
        } else {
            costLine = "unpriced: \(provider)/\(model) is not in the pricing table (never $0)"
        }
        return """
            model   \(provider)/\(model)\(pricingEntry.map { "  (\($0))" } ?? "")
            input   \(inputLine)
            output  \(outputLine)
            cost    \(costLine)

            """
    }

    /// The estimate as one JSON object; money as exact decimal strings, `null` where there is
    /// no value (an unpriced model's costs, an output not expected).
    public func json() -> String {
        JSONDocument.object([
            "provider": .string(provider), "model": .string(model), "pricing_entry": pricingEntry.map(JSONDocument.string),
            "input_tokens": .integer(input.tokens), "input_tokens_high": .integer(input.high), "input_exact": .bool(inputIsExact),
            "correction_factor": correction.isActive ? .string(factorText) : nil,
            "correction_samples": .integer(Int64(correction.samples)),
            "expected_output_tokens": expectedOutput.map(JSONDocument.integer),
            "expected_output_basis": expectedOutputBasis.map(JSONDocument.string),
            "max_output_tokens": .integer(maxOutput), "max_output_basis": .string(maxOutputBasis),
            "input_cost_usd": inputCost.map { .string($0.decimalString) },
            "expected_cost_usd": expectedCost.map { .string($0.decimalString) },
            "worst_case_cost_usd": worstCaseCost.map { .string($0.decimalString) },
        ]).text()
    }

    /// The correction factor to six places, from its integer form (no float formatting).
    private var factorText: String {
        let ppm = correction.factorPartsPerMillion
        let fraction = String(ppm % 1_000_000)
        return "\(ppm / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    private func show(_ money: Money?) -> String {
        guard let money else { return "unpriced" }
        return money.formatted(places: money.nanoUSD != 0 && money.nanoUSD < 10_000_000 ? 6 : 4)
    }

    private func grouped(_ value: Int64) -> String {
        var digits = String(value.magnitude)
        var groups: [Substring] = []
        while digits.count > 3 {
            groups.insert(digits.suffix(3), at: 0)
            digits = String(digits.dropLast(3))
        }
        groups.insert(Substring(digits), at: 0)
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}
