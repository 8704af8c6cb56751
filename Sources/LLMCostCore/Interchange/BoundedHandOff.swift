import Foundation

/// A bounded hand-off of work from one thread to another, so an import parses on one core
/// while SQLite writes on the other: the producer blocks when `capacity` items wait.
public final class BoundedHandOff<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [Item] = []
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private let capacity: Int

    /// The consumer gave up (its write failed): the producer should stop.
    public struct Cancelled: Error {}

    public init(capacity: Int = 8) { self.capacity = capacity }

    /// Blocks while `capacity` batches wait; throws `Cancelled` once the consumer gave up.
    public func put(_ batch: Item) throws {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        batches.append(batch)
        condition.broadcast()
    }

    /// The consumer stops taking: wakes and stops the producer. Harmless after the end.
    public func cancel() {
        condition.lock()
        cancelled = true
        batches.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// No more batches; `error` if the producer failed.
    public func finish(error: (any Error)? = nil) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, or `nil` once the producer finished and everything was taken. Rethrows
    /// the producer's failure.
    public func take() throws -> Item? {
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
