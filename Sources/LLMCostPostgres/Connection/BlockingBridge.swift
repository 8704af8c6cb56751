import Dispatch
import LLMCostStore
import Synchronization

/// Runs postgres-nio's async work for the ledger's synchronous API, and waits for it.
///
/// The ledger's calls are synchronous (SQLite's are), and are made from async code too (the
/// meter, the proxy). Waiting on a semaphore there is safe only if the work waited for never
/// needs one of Swift concurrency's own threads, which may all be the ones waiting: so the
/// work runs on `BridgeExecutor`, a task executor over Dispatch's threads, and everything it
/// starts inherits that preference.
enum BlockingBridge {
    /// Runs `work` and returns its result, or throws `timeoutError()` when it has not finished
    /// within `timeout` (the work is cancelled; a result arriving later is dropped).
    static func wait<T: Sendable>(
        timeout: Duration, timeoutError: () -> LedgerError, _ work: @escaping @Sendable () async throws -> T
    ) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task(executorPreference: BridgeExecutor.shared) {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        if done.wait(timeout: .now() + .nanoseconds(Int(clamping: timeout.nanoseconds))) == .timedOut {
            task.cancel()
            // A cancelled query ends at once; one that ignores cancellation is left behind.
            _ = done.wait(timeout: .now() + .seconds(2))
            throw timeoutError()
        }
        guard let result = outcome.withLock({ $0 }) else { throw timeoutError() }
        return try result.get()
    }
}

/// A task executor on Dispatch's threads, never on Swift concurrency's cooperative pool (see
/// `BlockingBridge`).
final class BridgeExecutor: TaskExecutor, Sendable {
    static let shared = BridgeExecutor()
    private let queue = DispatchQueue(label: "llm-cost.postgres", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }
}
