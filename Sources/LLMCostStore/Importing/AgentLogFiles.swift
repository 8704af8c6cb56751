import Foundation
import LLMCostCore

/// How far the ledger has read one agent log file (a Claude Code transcript, a Codex rollout,
/// a Gemini CLI session), so the next import reads only what was appended since.
public struct AgentLogFilePosition: Sendable, Hashable {
    public var path: String
    /// `claude-code`, `codex` or `gemini`.
    public var source: String
    /// The file's identity when it was read: another device or inode is another file (the
    /// agent replaced it), read again from the start.
    public var device: UInt64
    public var inode: UInt64
    /// Size and modification time when it was read: both unchanged, the file is not opened.
    public var size: Int64
    public var modifiedNanoseconds: Int64
    /// Bytes consumed: just after the last complete line (a half-written last line waits).
    public var offset: Int64
    /// Complete lines consumed, so line numbers in messages continue where they were.
    public var lines: Int
    /// The reader's state after `offset` (Codex: the running totals), opaque to the ledger.
    public var state: [UInt8]?

    public init(
        path: String, source: String, device: UInt64, inode: UInt64, size: Int64, modifiedNanoseconds: Int64,
        offset: Int64, lines: Int, state: [UInt8]? = nil
    ) {
        self.path = path
        self.source = source
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.offset = offset
        self.lines = lines
        self.state = state
    }
}

extension Ledger {
    /// Every agent log file read so far, by path.
    public func agentLogFilePositions() throws -> [String: AgentLogFilePosition] {
        try transaction(.read) { sql in
            var positions: [String: AgentLogFilePosition] = [:]
            try sql.forEachRow("""
                SELECT path, source, device, inode, size, mtime_ns, "offset", lines, state FROM agent_log_files
                """, []) { row in
                let path = row.text(0) ?? ""
                var state: [UInt8]?
                if case .blob(let bytes) = row.values[8] { state = bytes }
                positions[path] = AgentLogFilePosition(
                    path: path, source: row.text(1) ?? "", device: UInt64(bitPattern: row.integer(2) ?? 0),
                    inode: UInt64(bitPattern: row.integer(3) ?? 0), size: row.integer(4) ?? 0, modifiedNanoseconds: row.integer(5) ?? 0,
                    offset: row.integer(6) ?? 0, lines: Int(row.integer(7) ?? 0), state: state)
            }
            return positions
        }
    }
}

extension LedgerWriteSession {
    /// Remembers how far a log file has been read, in the transaction that writes the calls
    /// read up to there: a crash loses both or neither, so no line is skipped or read twice.
    public func savePosition(_ position: AgentLogFilePosition, readAt milliseconds: Int64) throws {
        try sql.execute("""
            INSERT INTO agent_log_files (path, source, device, inode, size, mtime_ns, "offset", lines, state, read_ms)
            VALUES (?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT (path) DO UPDATE SET source = excluded.source, device = excluded.device,
                inode = excluded.inode, size = excluded.size, mtime_ns = excluded.mtime_ns,
                "offset" = excluded."offset", lines = excluded.lines, state = excluded.state, read_ms = excluded.read_ms
            """, [
                .text(position.path), .text(position.source), .integer(Int64(bitPattern: position.device)),
                .integer(Int64(bitPattern: position.inode)), .integer(position.size), .integer(position.modifiedNanoseconds),
                .integer(position.offset), .integer(Int64(position.lines)), position.state.map(SQLValue.blob) ?? .null,
                .integer(milliseconds),
            ])
    }
}
