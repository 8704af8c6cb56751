import Foundation
import LLMCostCore
import LLMCostStore
import LLMCostTestSupport
import Testing
@testable import LLMCostPostgres

/// `Ledger.copy(to:)` between the backends: exact both ways, idempotent, the rollups kept.
@Suite struct LedgerCopyTests {
    @Test func sqliteToPostgresAndBackIsExactAndIdempotent() async throws {
        // Every slot: tens of thousands of writes, and the server's share of the machine.
        try await HeavyWorkSlots.shared.run(slots: nil) { try await onOwnThread { try copyBothWays() } }
    }

    private func copyBothWays() throws {
        let source = try BackendLedger(.sqlite)
        let server = try BackendLedger(.postgres)
        let back = try BackendLedger(.sqlite)
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        try source.ledger.write { session in
            // More than one page of reads from the server (`Ledger.callPage`).
            for index in 0..<12_000 {
                var record = CallRecord(
                    timestamp: start + Double(index) * 37, provider: index % 2 == 0 ? "anthropic" : "openai",
                    model: "m\(index % 5)", requestID: index % 3 == 0 ? nil : "r\(index)",
                    usage: Usage(inputTokens: Int64(index % 900), outputTokens: Int64(index % 77), cacheReadTokens: Int64(index % 13)))
                record.agent = index % 4 == 0 ? nil : "agent-\(index % 4)"
                record.session = "s\(index % 700)"
                record.tags = index % 2 == 0 ? ["project": "/src/p\(index % 3)"] : [:]
                record.cost = index % 9 == 0 ? nil : Money(nanoUSD: Int64(index) * 1_003)
                if index % 10 == 0 {
                    record.estimatedUsage = Usage(inputTokens: 50)
                    record.heuristicEstimate = HeuristicInputEstimate(rawTokens: 45, factorPartsPerMillion: 1_050_000)
                }
                try session.insert(record)
            }
        }
        let first = try source.ledger.copy(to: server.ledger, batchSize: 4_000)
        #expect(first.read == 12_000 && first.inserted == 12_000)
        #expect(try source.ledger.copy(to: server.ledger).inserted == 0)
        _ = try server.ledger.copy(to: back.ledger)

        func lines(_ ledger: Ledger) throws -> [String] {
            var lines: [String] = []
            try ledger.forEachCall { lines.append(CallRecordJSONL.encode($0)) }
            return lines
        }
        let original = try lines(source.ledger)
        #expect(try lines(server.ledger) == original)
        #expect(try lines(back.ledger) == original)
        let budget = BudgetDefinition(name: "all", period: .total, limit: .zero)
        let end = start + 12_000 * 37
        for copy in [server.ledger, back.ledger] {
            #expect(try copy.usage(of: budget, now: end).spent == source.ledger.usage(of: budget, now: end).spent)
            #expect(try copy.unpricedCalls(of: budget, now: end) == source.ledger.unpricedCalls(of: budget, now: end))
        }
        #expect(try back.ledger.rollupDiscrepancies().isEmpty)
    }
}
