import LLMCostCore

/// What `Ledger.copy(to:)` did.
public struct CopySummary: Sendable, Equatable {
    /// Calls read from the source.
    public var read = 0
    /// Calls new to the destination.
    public var inserted = 0
    /// Calls the destination had already (a copy run again, or overlapping ledgers).
    public var duplicates = 0

    public init() {}
}

extension Ledger {
    /// Copies every call into `destination`, exactly (costs as stored, pricing entries, estimates,
    /// tags) and idempotently: a call the destination has already is skipped by its dedupe key,
    /// so a copy run again, or stopped and run again, adds nothing twice. The destination's
    /// rollups are kept as for any write. Written in transactions of `batchSize` calls;
    /// `progress` hears the running summary after each.
    ///
    /// Between SQLite and PostgreSQL either way: both sides go through the same write path.
    public func copy(
        to destination: Ledger, batchSize: Int = 10_000, progress: (CopySummary) -> Void = { _ in }
    ) throws -> CopySummary {
        var summary = CopySummary()
        var batch: [CallRecord] = []
        batch.reserveCapacity(batchSize)
        func flush() throws {
            guard !batch.isEmpty else { return }
            let records = batch
            let (added, repeated) = try destination.write { session -> (Int, Int) in
                try session.insert(contentsOf: records)
                return (session.insertedCount, session.duplicateCount)
            }
            summary.inserted += added
            summary.duplicates += repeated
            batch.removeAll(keepingCapacity: true)
            progress(summary)
        }
        try forEachCall { record in
            summary.read += 1
            batch.append(record)
            if batch.count >= max(1, batchSize) { try flush() }
        }
        try flush()
        return summary
    }
}
