import Dispatch
import GRDB
import GRDBSQLite
import Synchronization

/// Moves the ledger's WAL checkpoints off the commit path.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1000 pages:
/// that call copies the WAL into the database and syncs both files, milliseconds where a commit
/// takes microseconds. With a meter writing a few pages per call, that was one call in a hundred
/// (`llm-cost-bench metering`: p99 1-12 ms against a p50 of 50 µs). This replaces it, on the
/// writing connection only, with a hook that starts the same passive checkpoint on a background
/// queue and connection: it copies what no reader still needs, concurrently with further
/// commits, and the next writer reuses the WAL from its start once all of it is copied.
///
/// SQLite starts the WAL over only when a write transaction begins with every frame already
/// copied. Calls spaced in time (real LLM calls take seconds) leave the background all the time
/// it needs; back-to-back commits (a benchmark, a bulk loop) never let it catch up, so past
/// `inlineThreshold` the committing connection checkpoints itself, as SQLite would have, but
/// only copies what the background has not. While a background checkpoint runs the inline one
/// is skipped (they share a lock), and past `hardLimit` the writer waits for the background
/// to finish and then checkpoints: the WAL stays bounded whatever happens, and the rare inline
/// checkpoint is a small one. Other processes keep SQLite's own automatic checkpoint.
final class WALCheckpointer: @unchecked Sendable {
    /// WAL pages after which a background checkpoint starts (SQLite's own default threshold).
    static let backgroundThreshold: Int32 = 1000
    /// WAL pages after which the committing connection checkpoints inline.
    static let inlineThreshold: Int32 = 4000
    /// WAL pages after which the committing connection waits for a running background
    /// checkpoint rather than skip its own.
    static let hardLimit: Int32 = 16_000

    private let path: String
    private let queue = DispatchQueue(label: "llm-cost.ledger.checkpoint", qos: .utility)
    private let scheduled = Atomic<Bool>(false)
    /// The WAL's page count when the last background checkpoint was started: the next starts
    /// once another `backgroundThreshold` pages have come (or the WAL started over), not on
    /// every commit, so back-to-back commits do not keep a core busy checkpointing.
    private let pagesAtLastStart = Atomic<Int32>(0)
    /// Checkpoints run in the background so far (for tests).
    let backgroundCheckpoints = Atomic<Int>(0)
    /// The background connection, opened on first use; touched only on `queue`.
    private var connection: OpaquePointer?

    init(path: String) {
        self.path = path
    }

    /// Replaces SQLite's automatic checkpoint on `db` (the ledger's writing connection).
    ///
    /// The hook's context is a small box, retained for the connection's life, that holds the
    /// checkpointer weakly: the connection may commit (and call the hook) while it is being
    /// closed, after the ledger and this checkpointer are gone.
    func install(on db: Database) {
        guard let handle = db.sqliteConnection else { return }
        sqlite3_wal_hook(handle, walHook, Unmanaged.passRetained(HookTarget(self)).toOpaque())
    }

    /// Called by SQLite on the committing thread after each commit, with the WAL's page count.
    fileprivate func committed(on handle: OpaquePointer?, walPages: Int32) {
        if walPages >= Self.inlineThreshold {
            let code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            if code == SQLITE_BUSY, walPages >= Self.hardLimit {
                queue.sync {} // the background checkpoint holding the lock finishes first
                sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
            return
        }
        let last = pagesAtLastStart.load(ordering: .relaxed)
        guard walPages >= Self.backgroundThreshold, walPages < last || walPages - last >= Self.backgroundThreshold,
            scheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        pagesAtLastStart.store(walPages, ordering: .relaxed)
        queue.async { [self] in
            defer { scheduled.store(false, ordering: .releasing) }
            checkpointInBackground()
        }
    }

    private func checkpointInBackground() {
        if connection == nil {
            var opened: OpaquePointer?
            guard sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
                sqlite3_close_v2(opened)
                return // the inline threshold still bounds the WAL
            }
            sqlite3_exec(opened, "PRAGMA synchronous = NORMAL", nil, nil, nil)
            connection = opened
        }
        // Busy (another process checkpointing) or not: either way the next commit asks again.
        if sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) == SQLITE_OK {
            backgroundCheckpoints.add(1, ordering: .relaxed)
        }
    }

    deinit {
        sqlite3_close_v2(connection)
    }
}

/// What the WAL hook points at: never freed (a few bytes per ledger opened), so the hook can
/// never touch freed memory.
private final class HookTarget {
    weak var checkpointer: WALCheckpointer?

    init(_ checkpointer: WALCheckpointer) {
        self.checkpointer = checkpointer
    }
}

private func walHook(_ context: UnsafeMutableRawPointer?, _ handle: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ pages: Int32) -> Int32 {
    guard let context, let checkpointer = Unmanaged<HookTarget>.fromOpaque(context).takeUnretainedValue().checkpointer else {
        // The ledger is gone: behave as SQLite's automatic checkpoint would.
        if pages >= WALCheckpointer.backgroundThreshold { sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) }
        return SQLITE_OK
    }
    checkpointer.committed(on: handle, walPages: pages)
    return SQLITE_OK
}
