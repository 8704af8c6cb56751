import Foundation
import LLMCostCore
@testable import LLMCostStore
import LLMCostTestSupport
import Testing

@Suite struct ImportTests {
    static func line(_ index: Int) -> String {
        #"{"ts":"2026-11-18T10:\#(String(format: "%02d", index % 60)):00Z","provider":"openai","model":"gpt-4o","request_id":"r\#(index)","input_tokens":\#(index),"output_tokens":1,"cost_usd":"0.000001"}"#
    }

    func write(_ lines: [String], in temporary: TemporaryLedger) throws -> String {
        let path = temporary.folder.appendingPathComponent("calls-\(UUID().uuidString).jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A large file is checked whole, then written in many short transactions: the result is the
    /// same as one transaction, and one bad line still means nothing is written.
    @Test func largeFilesAreCheckedFirstThenWrittenInBatches() throws {
        let temporary = try TemporaryLedger()
        var options = ImportOptions()
        options.singleTransactionMaxBytes = 1024
        options.batchSize = 7
        var lines = (0..<500).map(Self.line)
        lines[431] = #"{"ts":"2026-11-18T10:00:00Z","provider":"openai"}"#
        let bad = try write(lines, in: temporary)
        let error = try #require(throws: ImportRejected.self) { try temporary.ledger.importJSONL(path: bad, options: options) }
        #expect(error.summary.rejectedCount == 1)
        #expect(error.summary.rejected.first?.number == 432)
        #expect(try temporary.ledger.callCount() == 0)

        lines[431] = Self.line(431)
        let good = try write(lines, in: temporary)
        let summary = try temporary.ledger.importJSONL(path: good, options: options)
        #expect(summary.inserted == 500)
        #expect(summary.rejectedCount == 0)
        #expect(try temporary.ledger.callCount() == 500)
        #expect(try temporary.ledger.rollupDiscrepancies().isEmpty)
    }

    /// Millions of bad lines must not fill memory: all are counted, the first thousand kept.
    @Test func rejectedLinesAreCountedButOnlyTheFirstThousandKept() throws {
        let temporary = try TemporaryLedger()
        let path = try write((0..<2500).map { $0 % 2 == 0 ? "not json \($0)" : Self.line($0) }, in: temporary)
        let error = try #require(throws: ImportRejected.self) { try temporary.ledger.importJSONL(path: path) }
        #expect(error.summary.rejectedCount == 1250)
        #expect(error.summary.rejected.count == RejectedLine.keptLimit)
        #expect(error.description.contains("1250 invalid lines"))
        var lenient = ImportOptions(skipInvalid: true)
        lenient.batchSize = 100
        let summary = try temporary.ledger.importJSONL(path: path, options: lenient)
        #expect(summary.inserted == 1250)
        #expect(summary.rejectedCount == 1250)
    }
}

@Suite struct UnrecordedCallTests {
    /// Calls spooled while the ledger could not be written are recorded by a later recovery,
    /// exactly once, and the spool is gone afterwards.
    @Test func spooledCallsAreRecoveredOnce() throws {
        let temporary = try TemporaryLedger()
        var random = RandomCalls(state: 12)
        let records = (0..<20).map { random.record(index: $0) }
        #expect(!temporary.ledger.hasSpooledCalls)
        for record in records { try temporary.ledger.spool(record) }
        try temporary.ledger.record(records[0]) // one of them made it in after all
        #expect(temporary.ledger.hasSpooledCalls)
        let attributes = try FileManager.default.attributesOfItem(atPath: temporary.ledger.spoolPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        #expect(try temporary.ledger.recoverSpooledCalls() == 19)
        #expect(try temporary.ledger.callCount() == 20)
        #expect(!temporary.ledger.hasSpooledCalls)
        #expect(!FileManager.default.fileExists(atPath: temporary.ledger.spoolPath))
        #expect(try temporary.ledger.recoverSpooledCalls() == 0)

        // A recovery that died half way left its renamed file: the next one finishes it.
        try temporary.ledger.spool(random.record(index: 99))
        try FileManager.default.moveItem(atPath: temporary.ledger.spoolPath, toPath: temporary.ledger.spoolPath + ".recovering-crashed")
        #expect(temporary.ledger.hasSpooledCalls)
        #expect(try temporary.ledger.recoverSpooledCalls() == 1)
        #expect(!temporary.ledger.hasSpooledCalls)

        // A line recovery cannot read is kept aside, never dropped.
        try temporary.ledger.spool(random.record(index: 100))
        let handle = try #require(FileHandle(forWritingAtPath: temporary.ledger.spoolPath))
        handle.seekToEndOfFile()
        handle.write(Data("{\"ts\":\"not a time\"}\n".utf8))
        try handle.close()
        #expect(try temporary.ledger.recoverSpooledCalls() == 1)
        #expect(!temporary.ledger.hasSpooledCalls)
        let rejected = temporary.ledger.rejectedSpoolFiles
        #expect(rejected.count == 1)
        #expect(try String(contentsOfFile: rejected[0], encoding: .utf8).contains("not a time"))
    }

    /// Calls spooled by many threads while others recover are each recorded exactly once.
    @Test func spoolingAndRecoveringAtOnceLoseNothing() async throws {
        let temporary = try TemporaryLedger()
        let ledger = temporary.ledger
        var random = RandomCalls(state: 77)
        var records = (0..<400).map { random.record(index: $0) }
        for index in records.indices { records[index].requestID = "spooled-\(index)" }
        let all = records
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for record in all[(writer * 100)..<((writer + 1) * 100)] { try ledger.spool(record) }
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<20 {
                        try ledger.recoverSpooledCalls()
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
            }
            try await group.waitForAll()
        }
        try ledger.recoverSpooledCalls()
        #expect(try ledger.callCount() == 400)
        #expect(!ledger.hasSpooledCalls)
    }
}

@Suite struct BatchedImportConcurrencyTests {
    /// While a large import runs (seconds), another process's writer (its own connection) gets
    /// the lock between batches within its busy timeout, instead of timing out behind the whole
    /// import. The timeout (2 s) is many batches (50 ms) long: a busy 2-core machine can stretch
    /// one batch well past 400 ms (seen in a full parallel test run).
    @Test func aWriterGetsInBetweenBatches() async throws {
        // Every slot: the test is about who gets the lock when, and the suite's processes and
        // servers starving either side would decide it instead.
        try await HeavyWorkSlots.shared.run(slots: nil) { try await writerGetsInBetweenBatches() }
    }

    private func writerGetsInBetweenBatches() async throws {
        let temporary = try TemporaryLedger()
        let path = temporary.folder.appendingPathComponent("many.jsonl").path
        try ((0..<30_000).map(ImportTests.line).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var options = ImportOptions()
        options.singleTransactionMaxBytes = 0
        options.batchDuration = .milliseconds(50)
        let importer = temporary.ledger
        let importing = Task.detached { try importer.importJSONL(path: path, options: options) }
        let other = try Ledger(path: temporary.path, options: Ledger.Options(busyTimeout: .seconds(2)))
        var random = RandomCalls(state: 3)
        var recorded = 0
        // Once the first batch is in (the whole file is checked first), the import is writing.
        while try other.callCount() == 0 { try await Task.sleep(for: .milliseconds(1)) }
        for index in 0..<5 {
            try other.record(random.record(index: 100_000 + index))
            recorded += 1
        }
        #expect(try other.callCount() < 30_005, "the writes came in while the import was still running")
        let summary = try await importing.value
        #expect(summary.inserted == 30_000)
        #expect(recorded == 5)
        #expect(try other.callCount() == 30_005)
    }
}
