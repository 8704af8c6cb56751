import Foundation
import LLMCostCore

/// How an import treats bad lines and reports progress.
public struct ImportOptions {
    /// Skip invalid lines (still naming each) instead of rejecting the whole file.
    public var skipInvalid = false
    /// Called now and then with bytes read and the file size (when known).
    public var progress: (@Sendable (_ bytesRead: Int64, _ totalBytes: Int64?, _ lines: Int) -> Void)?
    /// At most this many rows per write transaction of a batched import.
    public var batchSize = 1_000_000
    /// A batched import's transaction ends after this long (or `batchSize` rows), so metered
    /// calls recording into the same ledger wait about a second, well within their busy
    /// timeout, not the whole import. Shorter batches cost more: each commit checkpoints the
    /// index pages it touched, and a dedupe key touches them all.
    public var batchDuration: Duration = .seconds(1)
    /// An all-or-nothing import of a file larger than this is checked whole first, then written
    /// in batches; smaller files and standard input are written in one transaction.
    public var singleTransactionMaxBytes: Int64 = 16 << 20
    /// Read and check every line, write nothing.
    public var dryRun = false
    /// Called by a batched import each time one of its transactions has committed, with the
    /// line through which every valid line of the file is now in the ledger (new, or there
    /// already) and the calls this import has inserted so far: what survives if the process
    /// dies next, and where a re-run has new work.
    public var committed: (@Sendable (_ throughLine: Int, _ inserted: Int) -> Void)?

    public init(skipInvalid: Bool = false, progress: (@Sendable (Int64, Int64?, Int) -> Void)? = nil) {
        self.skipInvalid = skipInvalid
        self.progress = progress
    }
}

/// A line the import could not take.
public struct RejectedLine: Sendable, Hashable {
    /// Reasons kept per import: a file of millions of bad lines must not fill memory.
    public static let keptLimit = 1000

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
    /// The first `RejectedLine.keptLimit` rejected lines (number and reason).
    public var rejected: [RejectedLine] = []
    /// How many lines were rejected in all.
    public var rejectedCount = 0
    /// True when nothing was written because a line was invalid and `skipInvalid` was off.
    public var rolledBack = false
}

/// An all-or-nothing import found invalid lines: nothing was written.
public struct ImportRejected: Error, CustomStringConvertible {
    public var summary: ImportSummary
    public var description: String {
        "\(summary.path): \(summary.rejectedCount) invalid line\(summary.rejectedCount == 1 ? "" : "s"); nothing was imported (use --skip-invalid to import the valid lines)"
    }
}

/// A batched import stopped part way: the batches before the failure are in the ledger.
public struct ImportInterrupted: Error, CustomStringConvertible {
    public var path: String
    /// Calls written (and kept) before the failure.
    public var written: Int
    public var reason: any Error
    public var description: String {
        "\(path): the import stopped after \(written) new call\(written == 1 ? " was" : "s were") written; the batch in progress "
            + "was rolled back (\(reason)). Run the same import again to finish it: calls already in the ledger are skipped."
    }
}

extension Ledger {
    /// Imports a JSON Lines file (`-` for standard input) in constant memory.
    ///
    /// All-or-nothing by default: if any line is invalid, every invalid line is still read and
    /// counted (the first thousand named), then nothing is written (`ImportRejected`). A large
    /// file is checked whole first and then written in batches, so other writers (metered calls)
    /// are not locked out for the whole import; were the file to change between the passes, the
    /// batches written stay (a re-run completes the import: writes are idempotent). With
    /// `skipInvalid`, valid lines land and invalid ones are listed. Calls already in the ledger are counted as duplicates and
    /// left unchanged; calls without a cost are priced by `pricing` when it knows the model.
    /// Lines are parsed on a second thread while this one writes.
    public func importJSONL(
        path: String, pricing: (any CallPricing)? = nil, options: ImportOptions = ImportOptions()
    ) throws -> ImportSummary {
        let reader = try LineReader(path: path)
        var options = options
        if !options.skipInvalid, !options.dryRun, path != "-", let size = reader.size, size > options.singleTransactionMaxBytes {
            var check = options
            check.dryRun = true
            let checked = try importJSONL(path: path, options: check)
            if checked.rejectedCount > 0 {
                var rejected = checked
                rejected.rolledBack = true
                throw ImportRejected(summary: rejected)
            }
            options.skipInvalid = true // every line is valid: write in batches
        }
        let pipe = BoundedHandOff<RecordBatch>()
        let parsed = ParseResult(path: path)
        let stopAtFirstRejection = !options.skipInvalid && !options.dryRun
        let keepRecords = !options.dryRun
        let progress = options.progress
        // Records handed over at a time. A server takes each hand-over as a few statements of
        // thousands of rows, pipelined: larger ones keep both sides of the wire busy.
        let recordsPerBatch = dialect == .postgres ? 20_000 : 4096
        let producer = Thread {
            let totalBytes = reader.size
            var nextProgress: Int64 = 0
            var batch: [CallRecord] = []
            batch.reserveCapacity(recordsPerBatch)
            var summary = ImportSummary(path: path)
            do {
                try reader.forEachLine { line, number, bytesRead in
                    summary.linesRead = number
                    if let progress, bytesRead >= nextProgress {
                        progress(bytesRead, totalBytes, number)
                        nextProgress = bytesRead + 4 << 20
                    }
                    if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                        summary.blankLines += 1
                        return
                    }
                    do {
                        let record = try CallRecordJSONL.decode(line)
                        // After a rejection in all-or-nothing mode nothing will be written:
                        // keep validating, stop handing records over.
                        guard keepRecords, !(stopAtFirstRejection && summary.rejectedCount > 0) else { return }
                        batch.append(record)
                        if batch.count == recordsPerBatch {
                            try pipe.put(RecordBatch(records: batch, throughLine: number))
                            batch.removeAll(keepingCapacity: true)
                        }
                    } catch {
                        summary.rejectedCount += 1
                        if summary.rejected.count < RejectedLine.keptLimit {
                            summary.rejected.append(RejectedLine(number: number, reason: "\(error)"))
                        }
                    }
                }
                if !batch.isEmpty { try pipe.put(RecordBatch(records: batch, throughLine: summary.linesRead)) }
                progress?(totalBytes ?? 0, totalBytes, summary.linesRead)
                parsed.summary = summary
                pipe.finish()
            } catch {
                parsed.summary = summary
                pipe.finish(error: error)
            }
        }
        producer.stackSize = 1 << 22
        producer.start()
        defer { pipe.cancel() }

        var inserted = 0
        var duplicates = 0
        if options.dryRun {
            while try pipe.take() != nil {}
        } else if options.skipInvalid {
            var done = false
            var committedThrough = 0
            while !done {
                let started = ContinuousClock.now
                do {
                    let (added, repeated, lastLine) = try write(pricing: pricing) { session -> (Int, Int, Int) in
                        var lastLine = committedThrough
                        while session.insertedCount + session.duplicateCount < max(1, options.batchSize),
                            ContinuousClock.now - started < options.batchDuration {
                            guard let batch = try pipe.take() else {
                                done = true
                                lastLine = parsed.summary?.linesRead ?? lastLine
                                break
                            }
                            try session.insert(contentsOf: batch.records)
                            lastLine = batch.throughLine
                        }
                        return (session.insertedCount, session.duplicateCount, lastLine)
                    }
                    inserted += added
                    duplicates += repeated
                    committedThrough = lastLine
                    options.committed?(committedThrough, inserted)
                } catch {
                    guard inserted + duplicates > 0 else { throw error }
                    throw ImportInterrupted(path: path, written: inserted, reason: error)
                }
                // Leave the lock free a moment: writers waiting for it (metered calls) get in.
                if !done { usleep(10_000) }
            }
        } else {
            try write(pricing: pricing) { session in
                while let batch = try pipe.take() {
                    try session.insert(contentsOf: batch.records)
                }
                if let summary = parsed.summary, summary.rejectedCount > 0 {
                    var rejected = summary
                    rejected.rolledBack = true
                    throw ImportRejected(summary: rejected)
                }
                inserted = session.insertedCount
                duplicates = session.duplicateCount
            }
        }
        var summary = parsed.summary ?? ImportSummary(path: path)
        summary.inserted = inserted
        summary.duplicates = duplicates
        summary.rolledBack = options.dryRun && summary.rejectedCount > 0
        return summary
    }
}

/// Records parsed from consecutive lines, and the last line they cover: every valid line up to
/// `throughLine` is in this batch or an earlier one.
struct RecordBatch {
    var records: [CallRecord]
    var throughLine: Int
}

/// The parsing thread's summary, read by the writing thread once the pipe is drained.
private final class ParseResult: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: ImportSummary?
    init(path: String) {}

    var summary: ImportSummary? {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
