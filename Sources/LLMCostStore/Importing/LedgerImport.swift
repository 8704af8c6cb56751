import Foundation
import LLMCostCore

/// How an import treats bad lines and reports progress.
public struct ImportOptions {
    /// Skip invalid lines (still naming each) instead of rejecting the whole file.
    public var skipInvalid = false
    /// Called now and then with bytes read and the file size (when known).
    public var progress: ((_ bytesRead: Int64, _ totalBytes: Int64?, _ lines: Int) -> Void)?
    /// Rows per write transaction when `skipInvalid` (an all-or-nothing import is one transaction).
    public var batchSize = 50_000

    public init(skipInvalid: Bool = false, progress: ((Int64, Int64?, Int) -> Void)? = nil) {
        self.skipInvalid = skipInvalid
        self.progress = progress
    }
}

/// A line the import could not take.
public struct RejectedLine: Sendable, Hashable {
    public var number: Int
    public var reason: String
}

/// What an import did.
public struct ImportSummary: Sendable {
    public var path: String
    public var linesRead = 0
    public var inserted = 0
    public var duplicates = 0
    public var blankLines = 0
    /// Every rejected line (number and reason).
    public var rejected: [RejectedLine] = []
    /// True when nothing was written because a line was invalid and `skipInvalid` was off.
    public var rolledBack = false
}

/// An all-or-nothing import found invalid lines: nothing was written.
public struct ImportRejected: Error, CustomStringConvertible {
    public var summary: ImportSummary
    public var description: String {
        "\(summary.path): \(summary.rejected.count) invalid line\(summary.rejected.count == 1 ? "" : "s"); nothing was imported (use --skip-invalid to import the valid lines)"
    }
}

extension Ledger {
    /// Imports a JSON Lines file (`-` for standard input) in constant memory.
    ///
    /// All-or-nothing by default: if any line is invalid, every invalid line is still read and
    /// named, then nothing is written (`ImportRejected`). With `skipInvalid`, valid lines land
    /// and invalid ones are listed. Calls already in the ledger are counted as duplicates and
    /// left unchanged; calls without a cost are priced by `pricing` when it knows the model.
    public func importJSONL(
        path: String, pricing: (any CallPricing)? = nil, options: ImportOptions = ImportOptions()
    ) throws -> ImportSummary {
        let reader = try LineReader(path: path)
        let totalBytes = reader.size
        var summary = ImportSummary(path: path)
        var nextProgress: Int64 = 0
        var pending: [CallRecord] = []
        pending.reserveCapacity(options.batchSize)

        func flush() throws {
            guard !pending.isEmpty else { return }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            let (inserted, duplicates) = try write(pricing: pricing) { session -> (Int, Int) in
                for record in batch { try session.insert(record) }
                return (session.insertedCount, session.duplicateCount)
            }
            summary.inserted += inserted
            summary.duplicates += duplicates
        }

        func readLines(into session: LedgerWriteSession?) throws {
            try reader.forEachLine { line, number, bytesRead in
                summary.linesRead = number
                if let progress = options.progress, bytesRead >= nextProgress {
                    progress(bytesRead, totalBytes, number)
                    nextProgress = bytesRead + 4 << 20
                }
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    summary.blankLines += 1
                    return
                }
                let record: CallRecord
                do {
                    record = try CallRecordJSONL.decode(line)
                } catch {
                    summary.rejected.append(RejectedLine(number: number, reason: "\(error)"))
                    return
                }
                if let session {
                    // Once a line is bad the transaction will roll back: only keep validating.
                    if summary.rejected.isEmpty { try session.insert(record) }
                } else {
                    pending.append(record)
                    if pending.count >= options.batchSize { try flush() }
                }
            }
        }

        if options.skipInvalid {
            try readLines(into: nil)
            try flush()
        } else {
            do {
                try write(pricing: pricing) { session in
                    try readLines(into: session)
                    if !summary.rejected.isEmpty {
                        summary.rolledBack = true
                        throw ImportRejected(summary: summary)
                    }
                    summary.inserted = session.insertedCount
                    summary.duplicates = session.duplicateCount
                }
            } catch let rejected as ImportRejected {
                throw rejected
            }
        }
        options.progress?(totalBytes ?? 0, totalBytes, summary.linesRead)
        return summary
    }
}
