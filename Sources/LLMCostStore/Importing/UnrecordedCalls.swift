import Foundation
import LLMCostCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calls that happened but could not be written to the ledger (locked past the busy timeout,
/// a damaged or read-only file) wait in a spool beside it, `<ledger>.unrecorded.jsonl`, in the
/// import format, until a later write brings them in. A metered call is never just lost.
extension Ledger {
    /// The spool of calls waiting to be recorded.
    public var spoolPath: String { path + ".unrecorded.jsonl" }

    /// Appends `record` to the spool: one `write` of one line to a file opened `O_APPEND`, so
    /// lines of processes spooling at once never interleave. The file is private (0600).
    public func spool(_ record: CallRecord) throws(LedgerError) {
        let line = Array((CallRecordJSONL.encode(record) + "\n").utf8)
        let descriptor = open(spoolPath, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard descriptor >= 0 else { throw .cannotCreate(path: spoolPath, detail: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        #if canImport(Glibc)
        let written = line.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        #else
        let written = line.withUnsafeBytes { Darwin.write(descriptor, $0.baseAddress, $0.count) }
        #endif
        guard written == line.count else {
            throw .cannotCreate(path: spoolPath, detail: written < 0 ? String(cString: strerror(errno)) : "short write")
        }
    }

    /// Whether any spooled calls wait (the spool, or one a crashed recovery left behind).
    public var hasSpooledCalls: Bool { !spoolFiles().isEmpty }

    /// Records every spooled call and removes the spool. Safe to run in several processes at
    /// once: the spool is renamed away before it is read (new calls start a fresh one), and
    /// recording a call twice still leaves one call. Returns how many calls were new.
    @discardableResult
    public func recoverSpooledCalls() throws -> Int {
        var recovered = 0
        for file in spoolFiles() {
            var reading = file
            if file == spoolPath {
                reading = spoolPath + ".recovering-\(UUID().uuidString)"
                guard rename(file, reading) == 0 else { continue } // another process took it
            }
            let summary = try importJSONL(path: reading, options: ImportOptions(skipInvalid: true))
            recovered += summary.inserted
            unlink(reading)
        }
        return recovered
    }

    /// The spool and any `.recovering-*` files beside it.
    private func spoolFiles() -> [String] {
        let folder = (spoolPath as NSString).deletingLastPathComponent
        let name = (spoolPath as NSString).lastPathComponent
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return entries.filter { $0 == name || $0.hasPrefix(name + ".recovering-") }.sorted()
            .map { folder.isEmpty ? $0 : folder + "/" + $0 }
    }
}
