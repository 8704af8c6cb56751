import Foundation

/// Runs `body` on a thread of its own and waits for it without holding one of Swift
/// concurrency's threads.
///
/// Swift concurrency has as many threads as cores (two on CI). A test that blocks one of them
/// (waiting on a process, or minutes of CPU in a loop) leaves the other tests' tasks waiting for
/// a thread: their timeouts then fire late or never, and tests that are right fail. Blocking
/// and long CPU-bound work therefore runs here. The stack is generous, for deeply nested inputs
/// in debug builds.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 16 << 20
        thread.start()
    }
}

/// `onOwnThread` for work that cannot fail.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 16 << 20
        thread.start()
    }
}
