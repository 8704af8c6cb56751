import Foundation
import LLMCostCore
import LLMCostStore

/// A line of an agent log that was not imported, and why.
public struct SkippedLogLine: Sendable, Hashable {
    public var path: String
    /// 1-based; for a Gemini CLI document read whole, 1.
    public var line: Int
    public var reason: String
}

/// What an agent-log import did.
public struct AgentLogImportSummary: Sendable {
    /// Log files found under the roots.
    public var files = 0
    /// Files opened because they are new or changed since the last import.
    public var filesRead = 0
    public var bytesRead: Int64 = 0
    /// Complete lines read (a half-written last line waits for its newline).
    public var linesRead = 0
    /// Lines (or messages) that carried a billed request, copies included.
    public var requestLines = 0
    /// Requests new to the ledger.
    public var inserted = 0
    /// Requests the ledger had with fewer tokens, now at their final counts.
    public var grown = 0
    /// Copies of a request already counted (streamed snapshots, a sub-agent's request in its
    /// parent's log, a fork's replayed history, a file read again): collapsed, not counted.
    public var duplicatesCollapsed = 0
    /// The first `SkippedLogLine.keptLimit` skipped lines; `skippedCount` counts them all.
    public var skipped: [SkippedLogLine] = []
    public var skippedCount = 0
    /// Requests whose model has no price, by `provider/model`.
    public var unpricedModels: [String: Int] = [:]
    /// Roots or files that could not be read.
    public var problems: [AgentLogDiscovery.Problem] = []

    public init() {}
}

extension SkippedLogLine {
    /// Skipped lines kept per import: logs with millions of bad lines must not fill memory.
    public static let keptLimit = 1000
}

/// Imports agent logs into a ledger, incrementally: a file unchanged since the last import is
/// not opened, an appended one is read from where the last import stopped, a replaced or
/// truncated one is read again (the ledger's dedupe makes that safe).
///
/// Files are read and decoded on a second thread while this one writes. Every transaction
/// writes the calls of the lines it covers together with the files' new read positions, so an
/// import stopped at any point (even by SIGKILL) resumes without losing or repeating a line.
public struct AgentLogImporter: Sendable {
    public let ledger: Ledger
    public let pricing: (any CallPricing)?
    /// A write transaction ends after this long, so metered calls writing to the same ledger
    /// wait at most about this long for the lock.
    public var transactionDuration: Duration = .milliseconds(500)

    public init(ledger: Ledger, pricing: (any CallPricing)?) {
        self.ledger = ledger
        self.pricing = pricing
    }

    /// Finds the log files of each source under its roots (`nil`: the agent's default places).
    public static func discover(
        _ roots: [(source: AgentLogSource, paths: [String]?)], environment: [String: String]
    ) -> AgentLogDiscovery {
        var discovery = AgentLogDiscovery()
        for (source, paths) in roots {
            for root in paths ?? source.defaultRoots(environment: environment) {
                discovery.add(root: root, source: source, explicit: paths != nil)
            }
        }
        return discovery
    }

    /// Imports what is new in `files`.
    /// - Parameter progress: called after each file read, with files done, files to read, and
    ///   bytes read so far.
    public func importFiles(
        _ files: [AgentLogFile], progress: (@Sendable (_ done: Int, _ total: Int, _ bytes: Int64) -> Void)? = nil
    ) throws -> AgentLogImportSummary {
        var summary = AgentLogImportSummary()
        summary.files = files.count
        let known = try ledger.agentLogFilePositions()
        let plans = files.compactMap { ReadPlan(file: $0, known: known[$0.path]) }
        summary.filesRead = plans.count
        guard !plans.isEmpty else { return summary }

        let handOff = BoundedHandOff<DecodedChunk>(capacity: 16)
        let reading = ReadTotals()
        let pricing = self.pricing
        let producer = Thread {
            var done = 0
            var bytes: Int64 = 0
            do {
                for plan in plans {
                    try plan.read(pricing: pricing) { chunk in
                        bytes += chunk.bytes
                        try handOff.put(chunk)
                    }
                    done += 1
                    progress?(done, plans.count, bytes)
                }
                handOff.finish()
            } catch {
                handOff.finish(error: error)
            }
            reading.bytes = bytes
        }
        producer.stackSize = 1 << 22
        producer.start()
        defer { handOff.cancel() }

        var finished = false
        while !finished {
            let started = ContinuousClock.now
            try ledger.write(pricing: nil) { session in
                let readAt = Int64(Date().timeIntervalSince1970 * 1000)
                while ContinuousClock.now - started < transactionDuration {
                    guard let chunk = try handOff.take() else {
                        finished = true
                        break
                    }
                    for record in chunk.records {
                        switch try session.insertKeepingLarger(record) {
                        case .inserted: summary.inserted += 1
                        case .grown: summary.grown += 1
                        case .duplicate: summary.duplicatesCollapsed += 1
                        }
                    }
                    try session.savePosition(chunk.position, readAt: readAt)
                    summary.add(chunk)
                }
            }
            // Leave the lock free a moment: writers waiting for it (metered calls) get in.
            if !finished { usleep(2_000) }
        }
        summary.bytesRead = reading.bytes
        return summary
    }
}

extension AgentLogImportSummary {
    mutating func add(_ chunk: DecodedChunk) {
        linesRead += chunk.lines
        requestLines += chunk.requestLines
        duplicatesCollapsed += chunk.collapsed
        skippedCount += chunk.skipped.count
        for line in chunk.skipped where skipped.count < SkippedLogLine.keptLimit { skipped.append(line) }
        for (model, count) in chunk.unpricedModels { unpricedModels[model, default: 0] += count }
    }
}

/// Bytes read by the producer thread, read by the writer once it has finished.
private final class ReadTotals: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Int64 = 0
    var bytes: Int64 {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

/// The calls decoded from consecutive complete lines of one file, and where the file's read
/// position is once they are in the ledger.
struct DecodedChunk: Sendable {
    var records: [CallRecord] = []
    var position: AgentLogFilePosition
    var bytes: Int64 = 0
    var lines = 0
    var requestLines = 0
    /// Copies of a request within the chunk, collapsed before writing.
    var collapsed = 0
    var skipped: [SkippedLogLine] = []
    var unpricedModels: [String: Int] = [:]
}
