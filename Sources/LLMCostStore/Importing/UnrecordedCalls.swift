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
    /// The spool of calls waiting to be recorded: beside a ledger file; for a ledger on a
    /// server, in this machine's data folder (`spool/`), named after the server and database.
    public var spoolPath: String {
        guard case .server = storage, case .postgres(let location)? = try? LedgerLocation(path) else {
            return path + ".unrecorded.jsonl"
        }
        let name = "\(location.user)@\(location.host)_\(location.port)_\(location.database)".map { character -> Character in
            character.isLetter || character.isNumber || "-_.@".contains(character) ? character : "_"
        }
        return Self.dataDirectory() + "/spool/" + String(name) + ".unrecorded.jsonl"
    }

    /// Appends `record` to the spool: one `write` of one line to a file opened `O_APPEND`, so
    /// lines of processes spooling at once never interleave. The file is private (0600).
    ///
    /// A writer holds a shared `flock` while it writes, and writes only if the file it opened
    /// is still the spool; recovery renames the spool away and takes the exclusive lock before
    /// reading, so a line is never written into a file that has already been read.
    public func spool(_ record: CallRecord) throws(LedgerError) {
        let line = Array((CallRecordJSONL.encode(record) + "\n").utf8)
        if case .server = storage {
            // The data folder's spool folder, private like the ledger file's would be.
            let folder = (spoolPath as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        for _ in 0..<100 {
            let descriptor = open(spoolPath, O_WRONLY | O_APPEND | O_CREAT, 0o600)
            guard descriptor >= 0 else { throw .cannotCreate(path: spoolPath, detail: String(cString: strerror(errno))) }
            defer { close(descriptor) }
            flock(descriptor, LOCK_SH)
            guard Self.isSameFile(descriptor, spoolPath) else { continue } // recovered meanwhile: a new spool
            #if canImport(Glibc)
            let written = line.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            #else
            let written = line.withUnsafeBytes { Darwin.write(descriptor, $0.baseAddress, $0.count) }
            #endif
            guard written == line.count else {
                throw .cannotCreate(path: spoolPath, detail: written < 0 ? String(cString: strerror(errno)) : "short write")
            }
            return
        }
        throw .cannotCreate(path: spoolPath, detail: "the spool kept being recovered while this call was written")
    }

    /// Whether any spooled calls wait (the spool, or one a crashed recovery left behind).
    public var hasSpooledCalls: Bool { !spoolFiles().isEmpty }

    /// The spool and any `.recovering-*` files beside it.
    private func spoolFiles() -> [String] {
        let name = (spoolPath as NSString).lastPathComponent
        return filesBesideSpool { $0 == name || $0.hasPrefix(name + ".recovering-") }
    }

    /// Records every spooled call and removes the spool. Safe to run in several processes at
    /// once: the spool is renamed away before it is read (new calls start a fresh one), and
    /// recording a call twice still leaves one call. Lines that do not decode are kept in
    /// `<spool>.rejected-*` rather than dropped. Returns how many calls were new.
    @discardableResult
    public func recoverSpooledCalls() throws -> Int {
        var recovered = 0
        for file in spoolFiles() {
            var reading = file
            if file == spoolPath {
                reading = spoolPath + ".recovering-\(UUID().uuidString)"
                guard rename(file, reading) == 0 else { continue } // another process took it
            }
            let descriptor = open(reading, O_RDONLY)
            guard descriptor >= 0 else { continue } // another recovery finished it
            defer { close(descriptor) }
            flock(descriptor, LOCK_EX) // writers that opened it before the rename finish first
            let summary: ImportSummary
            do {
                summary = try importJSONL(path: reading, options: ImportOptions(skipInvalid: true))
            } catch {
                if !FileManager.default.fileExists(atPath: reading) { continue } // another recovery finished it
                throw error
            }
            recovered += summary.inserted
            if summary.rejectedCount > 0 {
                rename(reading, spoolPath + ".rejected-\(UUID().uuidString)")
            } else {
                unlink(reading)
            }
        }
        return recovered
    }

    /// Spooled lines recovery could not read, kept for a person to look at.
    public var rejectedSpoolFiles: [String] {
        let name = (spoolPath as NSString).lastPathComponent
        return filesBesideSpool { $0.hasPrefix(name + ".rejected-") }
    }

    /// Whether the open `descriptor` is the file now at `path`.
    private static func isSameFile(_ descriptor: Int32, _ path: String) -> Bool {
        var opened = stat()
        var current = stat()
        guard fstat(descriptor, &opened) == 0, stat(path, &current) == 0 else { return false }
        return opened.st_dev == current.st_dev && opened.st_ino == current.st_ino
    }

    /// Paths of the files in the ledger's folder whose names match.
    private func filesBesideSpool(where matches: (String) -> Bool) -> [String] {
        let folder = (spoolPath as NSString).deletingLastPathComponent
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return entries.filter(matches).sorted().map { folder.isEmpty ? $0 : folder + "/" + $0 }
    }
}
