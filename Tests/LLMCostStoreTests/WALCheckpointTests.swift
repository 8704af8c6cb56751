import Foundation
import LLMCostCore
@testable import LLMCostStore
import LLMCostTestSupport
import Synchronization
import Testing

/// The ledger's WAL checkpoints run in the background, off the commit path, and still keep the
/// WAL bounded under a steady stream of one-call transactions (a meter's write pattern).
@Suite struct WALCheckpointTests {
    @Test func theWALStaysBoundedUnderSteadySmallCommits() throws {
        let temporary = try TemporaryLedger()
        let ledger = temporary.ledger
        let walPath = temporary.path + "-wal"
        var largestPages = 0
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        for index in 0..<8000 {
            var record = CallRecord(
                timestamp: start + Double(index), provider: "p", model: "m", requestID: "req-\(index)",
                usage: Usage(inputTokens: 10, outputTokens: 5))
            record.cost = Money(nanoUSD: 1000)
            try ledger.record(record)
            if index % 100 == 0 {
                let size = (try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
                largestPages = max(largestPages, size / 4096)
            }
        }
        // Without any checkpoint these commits would take the WAL to ~18,000 pages; with one,
        // it stays under the hard limit (plus the last commit's pages).
        #expect(largestPages <= Int(WALCheckpointer.hardLimit) + 50)
        #expect(ledger.checkpointer.backgroundCheckpoints.load(ordering: .relaxed) > 0)
    }
}
