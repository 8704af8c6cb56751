import Foundation
import LLMCostCore
import LLMCostStore

/// $1 per input token and $1 per output token: costs and worst cases are readable sums.
struct DollarPerToken: CallPricing {
    func quote(for record: CallRecord) -> PriceQuote? {
        PriceQuote(
            cost: Money(nanoUSD: (record.usage.totalInputTokens + record.usage.outputTokens) * Money.unitsPerDollar),
            entryID: "test/dollar")
    }
}

/// Lines a meter or dispatcher wrote (warnings, log alerts), collected across threads.
final class CollectedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// A ledger in a fresh temporary folder; the caller removes the folder.
func temporaryLedger() throws -> (Ledger, URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("metering-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return (try Ledger(path: folder.appendingPathComponent("ledger.sqlite").path), folder)
}
