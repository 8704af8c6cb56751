import Dispatch
import GRDB
import GRDBSQLite
import Synchronization

/// Moves the ledger's WAL checkpoints off the commit path.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1000 pages:
/// that call copies the WAL into the database and syncs both files, milliseconds where a commit
/// takes microseconds. With a meter writing a few pages per call, that was one call in a hundred
/// (`llm-cost bench metering`: p99 1-12 ms against a p50 of 50 µs). This replaces it, on the
/// writing connection only, with a hook that starts the same passive checkpoint on a background
/// queue and connection: it copies what no reader still needs, concurrently with further
/// commits, and the next writer reuses the WAL from its start once all of it is copied.
///
/// If the background falls far behind (a reader pins old pages for a long time), the committing
/// connection checkpoints itself past `inlineThreshold`, as SQLite would have, so the WAL stays
/// bounded whatever happens. Other processes keep SQLite's own automatic checkpoint.
final class WALCheckpointer: @unchecked Sendable {
    /// WAL pages after which a background checkpoint starts (SQLite's own default threshold).
    static let backgroundThreshold: Int32 = 1000
    /// WAL pages after which the committing connection checkpoints inline.
    static let inlineThreshold: Int32 = 16_000

    private let path: String
    private let queue = DispatchQueue(label: "llm-cost.ledger.checkpoint", qos: .utility)
    private let scheduled = Atomic<Bool>(false)
    /// The background connection, opened on first use; touched only on `queue`.
    private var connection: OpaquePointer?

    init(path: String) {
        self.path = path
    }

    /// Replaces SQLite's automatic checkpoint on `db` (the ledger's writing connection).
    func install(on db: Database) {
        guard let handle = db.sqliteConnection else { return }
        sqlite3_wal_hook(handle, walHook, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Called by SQLite on the committing thread after each commit, with the WAL's page count.
    fileprivate func committed(on handle: OpaquePointer?, walPages: Int32) {
        if walPages >= Self.inlineThreshold {
            sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            return
        }
        guard walPages >= Self.backgroundThreshold,
            scheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
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
        sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }

    deinit {
        sqlite3_close_v2(connection)
    }
}

private func walHook(_ context: UnsafeMutableRawPointer?, _ handle: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ pages: Int32) -> Int32 {
    guard let context else { return SQLITE_OK }
    Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(on: handle, walPages: pages)
    return SQLITE_OK
}
