import Foundation
import LLMCostCore
@testable import LLMCostPricing

/// The default table, loaded once for the tests that only read it.
let defaultTableResult = Result<PriceTable, PricingError> { () throws(PricingError) in try PriceTableLoader.load(user: []) }
var defaultTable: PriceTable {
    get throws { try defaultTableResult.get() }
}

/// The curated table alone, without the LiteLLM map snapshot: for tests of the curated rules.
let curatedTableResult = Result<PriceTable, PricingError> { () throws(PricingError) in
    try PriceTableLoader.load(user: [], snapshot: nil)
}
var curatedTable: PriceTable {
    get throws { try curatedTableResult.get() }
}

/// The package's `pricing/` folder, the canonical copy of the default table.
let pricingDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("pricing")

/// `2025-06-10T00:00:00Z` → Date.
func utc(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text.count == 10 ? text + "T00:00:00Z" : text) else {
        preconditionFailure("bad test date \(text)")
    }
    return date
}

func money(_ text: String) -> Money? { Money(decimalUSD: text) }
