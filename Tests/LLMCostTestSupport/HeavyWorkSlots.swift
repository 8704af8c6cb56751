import Foundation

/// Limits how much heavy work (a run of the built binary, a pass of thousands of parser inputs)
/// the test suite does at once, without blocking a thread while waiting for a slot.
///
/// Tests run in parallel; left alone, sixty CLI tests each starting processes would keep every
/// core busy, and the tests that check real timeouts (a 200 ms first-byte timeout, a stream
/// cancelled mid-way) would see their timers fire seconds late. With as many slots as cores,
/// heavy work keeps the machine about as busy as one process per core, and the rest of the
/// suite still gets its turn. Slots are granted first come, first served, so a test that needs
/// them all (sixteen processes racing for one budget) is not starved by a stream of small ones.
public actor HeavyWorkSlots {
    /// The suite's slots: one per core, at least two.
    public static let shared = HeavyWorkSlots(limit: max(2, ProcessInfo.processInfo.activeProcessorCount))

    public let limit: Int
    private var inUse = 0
    private var queue: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Whether the current task holds slots already: heavy work nested in heavy work (a CLI run
    /// inside a test that took every slot) goes ahead instead of waiting for itself.
    @TaskLocal static var isHolding = false

    /// Runs `body` holding `count` slots (`nil`: all of them), waiting for them first.
    public nonisolated func run<T: Sendable>(slots count: Int? = 1, _ body: @Sendable () async throws -> T) async rethrows -> T {
        if Self.isHolding { return try await body() }
        let wanted = min(limit, max(1, count ?? limit))
        await acquire(wanted)
        do {
            let result = try await Self.$isHolding.withValue(true) { try await body() }
            await release(wanted)
            return result
        } catch {
            await release(wanted)
            throw error
        }
    }

    private func acquire(_ count: Int) async {
        if queue.isEmpty, inUse + count <= limit {
            inUse += count
            return
        }
        await withCheckedContinuation { queue.append((count, $0)) }
    }

    private func release(_ count: Int) {
        inUse -= count
        while let next = queue.first, inUse + next.count <= limit {
            queue.removeFirst()
            inUse += next.count
            next.continuation.resume()
        }
    }
}
