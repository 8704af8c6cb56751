import Foundation
import LLMCostCore

/// A bounded hand-off of parsed records from the parsing thread to the writing thread, so an
/// import parses JSON on one core while SQLite writes on the other.
final class RecordPipe: @unchecked Sendable {
    /// Records parsed from consecutive lines, and the last line they cover: every valid line up
    /// to `throughLine` is in this batch or an earlier one.
    struct Batch {
        var records: [CallRecord]
        var throughLine: Int
    }

    private let condition = NSCondition()
    private var batches: [Batch] = []
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private let capacity: Int

    /// The consumer gave up (its write failed): the producer should stop.
    struct Cancelled: Error {}

    init(capacity: Int = 8) { self.capacity = capacity }

    /// Blocks while `capacity` batches wait; throws `Cancelled` once the consumer gave up.
    func put(_ batch: Batch) throws {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        batches.append(batch)
        condition.broadcast()
    }

    /// The consumer stops taking: wakes and stops the producer. Harmless after the end.
    func cancel() {
        condition.lock()
        cancelled = true
        batches.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// No more batches; `error` if the producer failed.
    func finish(error: (any Error)? = nil) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, or `nil` once the producer finished and everything was taken. Rethrows
    /// the producer's failure.
    func take() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        if let failure { throw failure }
        guard !batches.isEmpty else { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }
}
