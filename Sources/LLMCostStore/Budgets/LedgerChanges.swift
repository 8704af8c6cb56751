import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Wakes callers waiting for the ledger to change: a call waiting for budget room re-checks as
/// soon as another call settles, in this process or any other, instead of sleeping blind.
///
/// Two sources bump one generation counter:
/// - this process's own settlements and releases (`signal()`, called after they commit);
/// - other processes' commits: for a file, inotify on the ledger's folder (Linux), filtered to
///   the ledger's `-wal` file, which every commit appends to; for a server, its notices
///   (`LedgerServer.watchChanges`: `LISTEN`/`NOTIFY` on PostgreSQL), from any host.
///   The watch starts with the first waiter and lasts as long as the ledger.
///
/// Waiters also give up at their deadline, and callers are expected to re-check at a modest
/// interval anyway (`Ledger.changeRecheckInterval`): inotify does not see writes made from
/// another machine over a network file system, nor a reservation that simply expires.
final class LedgerChanges: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())
    /// The folder and WAL file name watched; `nil` for a ledger on a server (no file to watch:
    /// waiters re-check on their interval).
    private let watchedFolder: String?
    private let walName: String
    private let watcher = Mutex<FileWatcher?>(nil)
    private let watchStarted = Atomic<Bool>(false)
    /// For a ledger on a server: starts its watch, and what stops it once started.
    private let startServerWatch: (@Sendable (@escaping @Sendable () -> Void) -> (@Sendable () -> Void)?)?
    private let stopServerWatch = Mutex<(@Sendable () -> Void)?>(nil)

    init(ledgerPath: String?) {
        startServerWatch = nil
        guard let ledgerPath else {
            watchedFolder = nil
            walName = ""
            return
        }
        let url = URL(fileURLWithPath: ledgerPath)
        watchedFolder = url.deletingLastPathComponent().path
        walName = url.lastPathComponent + "-wal"
    }

    /// For a ledger on `server`: its notices wake waiters.
    init(server: any LedgerServer) {
        watchedFolder = nil
        walName = ""
        startServerWatch = { onChange in server.watchChanges(onChange) }
    }

    deinit {
        watcher.withLock { $0?.stop() }
        stopServerWatch.withLock { $0?() }
    }

    /// The current generation: read it before checking, then wait for it to move.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Something changed: wake every waiter.
    func signal() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            let waiting = Array(state.waiters.values)
            state.waiters.removeAll()
            return waiting
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once the generation is past `generation`, at `deadline`, or when the task is
    /// cancelled, whichever comes first.
    func wait(after generation: UInt64, until deadline: ContinuousClock.Instant) async {
        startWatching()
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let registered = state.withLock { state -> Bool in
                    guard state.generation == generation, !Task.isCancelled else { return false }
                    state.waiters[id] = continuation
                    return true
                }
                guard registered else {
                    continuation.resume()
                    return
                }
                let nanoseconds = remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(max(0, nanoseconds)))) { [weak self] in
                    self?.wake(id)
                }
            }
        } onCancel: {
            wake(id)
        }
    }

    private func wake(_ id: UInt64) {
        let continuation = state.withLock { $0.waiters.removeValue(forKey: id) }
        continuation?.resume()
    }

    private func startWatching() {
        if let startServerWatch, !watchStarted.exchange(true, ordering: .acquiringAndReleasing) {
            let stop = startServerWatch { [weak self] in self?.signal() }
            stopServerWatch.withLock { $0 = stop }
            return
        }
        guard let watchedFolder, !watchStarted.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let walName = walName
        let started = FileWatcher(folder: watchedFolder) { [weak self] names in
            if names.contains(walName) { self?.signal() }
        }
        watcher.withLock { $0 = started }
    }
}

/// The names of files in one folder that were written, created or moved in, as the kernel
/// reports them (inotify). Nothing on systems without inotify: callers re-check on a timer.
/// (`@unchecked`: the dispatch source is only resumed at init and cancelled by `stop`, both of
/// which Dispatch makes thread-safe.)
final class FileWatcher: @unchecked Sendable {
    private let source: (any DispatchSourceRead)?

    init?(folder: String, onChange: @escaping @Sendable (Set<String>) -> Void) {
        #if canImport(Glibc)
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE)
        guard inotify_add_watch(descriptor, folder, mask) >= 0 else {
            close(descriptor)
            return nil
        }
        let source = DispatchSource.makeReadSource(
            fileDescriptor: descriptor, queue: DispatchQueue(label: "llm-cost.ledger-changes"))
        source.setEventHandler {
            onChange(Self.drain(descriptor))
        }
        source.setCancelHandler { close(descriptor) }
        source.resume()
        self.source = source
        #else
        return nil
        #endif
    }

    func stop() {
        source?.cancel()
    }

    #if canImport(Glibc)
    /// Reads every pending event; returns the file names they name.
    private static func drain(_ descriptor: Int32) -> Set<String> {
        var names: Set<String> = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        let headerSize = MemoryLayout<inotify_event>.size
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            var offset = 0
            while offset + headerSize <= count {
                let nameLength = buffer.withUnsafeBytes { raw -> Int in
                    Int(raw.loadUnaligned(fromByteOffset: offset + headerSize - MemoryLayout<UInt32>.size, as: UInt32.self))
                }
                let nameStart = offset + headerSize
                let nameEnd = min(count, nameStart + nameLength)
                if nameLength > 0, nameStart < nameEnd {
                    let bytes = buffer[nameStart..<nameEnd].prefix { $0 != 0 }
                    names.insert(String(decoding: bytes, as: UTF8.self))
                }
                offset = nameStart + nameLength
            }
        }
        return names
    }
    #endif
}
