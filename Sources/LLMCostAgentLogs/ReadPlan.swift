#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LLMCostCore
import LLMCostStore

/// What to read of one log file: from where the last import stopped, from the start (a new,
/// replaced or truncated file; a document rewritten whole), or nothing (unchanged).
struct ReadPlan: Sendable {
    let file: AgentLogFile
    let startOffset: Int64
    let startLine: Int
    let state: [UInt8]?
    /// A legacy Gemini CLI session: one JSON document rewritten whole, decoded as one unit.
    let isWholeDocument: Bool

    /// Bytes decoded per chunk handed to the writer: bounds memory on huge files, and a
    /// chunk's lines land in the ledger with the position after them.
    static let chunkBytes = 4 << 20

    /// `nil` when the file is unchanged since `known` was saved.
    init?(file: AgentLogFile, known: AgentLogFilePosition?) {
        self.file = file
        isWholeDocument = file.source == .gemini && file.path.hasSuffix(".json")
        if let known, known.device == file.device, known.inode == file.inode, known.source == file.source.rawValue {
            if known.size == file.size && known.modifiedNanoseconds == file.modifiedNanoseconds { return nil }
            if !isWholeDocument && file.size >= known.offset {
                startOffset = known.offset
                startLine = known.lines
                state = known.state
                return
            }
        }
        startOffset = 0
        startLine = 0
        state = nil
    }

    /// Reads from `startOffset` to the end of the file, hands over each chunk of decoded
    /// complete lines. A last line without its newline is left for the next import (the agent
    /// is still writing it), except in a whole document.
    func read(pricing: (any CallPricing)?, _ emit: (DecodedChunk) throws -> Void) throws {
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            // Gone since it was found (an agent deleting old transcripts): nothing to read.
            if errno == ENOENT { return }
            throw AgentLogError.unreadable(file.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var decoder: any AgentLogLineDecoder = file.source.makeDecoder(path: file.path, state: state)
        var position = AgentLogFilePosition(
            path: file.path, source: file.source.rawValue, device: file.device, inode: file.inode, size: file.size,
            modifiedNanoseconds: file.modifiedNanoseconds, offset: startOffset, lines: startLine, state: state)
        var buffer = [UInt8](repeating: 0, count: Self.chunkBytes)
        var filled = 0
        var offset = startOffset
        var collapse = ChunkCollapser(pricing: pricing)
        while true {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let count = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return pread(descriptor, base + filled, raw.count - filled, off_t(offset + Int64(filled)))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw AgentLogError.unreadable(file.path, reason: String(cString: strerror(errno)))
            }
            let atEnd = count == 0
            filled += count
            if !atEnd && filled < buffer.count { continue }
            if isWholeDocument {
                guard atEnd else { continue }
                var chunk = DecodedChunk(position: position)
                if filled > 0 {
                    chunk.lines = 1
                    let outcome = buffer.withUnsafeBufferPointer { decoder.decode(line: UnsafeBufferPointer(rebasing: $0[0..<filled])) }
                    collapse.take(outcome, line: 1, path: file.path, into: &chunk)
                }
                chunk.bytes = Int64(filled)
                chunk.position.offset = Int64(filled)
                chunk.position.lines = chunk.lines
                chunk.position.state = nil
                collapse.finish(into: &chunk)
                try emit(chunk)
                return
            }
            // Decode the complete lines in the buffer; keep the incomplete tail.
            var chunk = DecodedChunk(position: position)
            var consumed = 0
            buffer.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return }
                while consumed < filled, let found = memchr(base + consumed, Int32(UInt8(ascii: "\n")), filled - consumed) {
                    let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    var line = UnsafeBufferPointer(rebasing: bytes[consumed..<end])
                    if let last = line.last, last == UInt8(ascii: "\r") { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
                    chunk.lines += 1
                    let number = position.lines + chunk.lines
                    if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                        collapse.take(decoder.decode(line: line), line: number, path: file.path, into: &chunk)
                    }
                    consumed = end + 1
                }
            }
            if consumed > 0 {
                offset += Int64(consumed)
                chunk.bytes = Int64(consumed)
                position.offset = offset
                position.lines += chunk.lines
                position.state = decoder.state
                chunk.position = position
                collapse.finish(into: &chunk)
                try emit(chunk)
                buffer.withUnsafeMutableBufferPointer { bytes in
                    if let base = bytes.baseAddress, filled > consumed { memmove(base, base + consumed, filled - consumed) }
                }
                filled -= consumed
            }
            if atEnd {
                if consumed == 0 && position.offset == startOffset {
                    // Nothing complete was read: still remember the file, so an unchanged
                    // file is not opened again.
                    try emit(DecodedChunk(position: position))
                }
                return
            }
        }
    }
}

/// Collapses copies of one request within a chunk (Claude Code writes a streamed message once
/// per content block) to the largest, and prices what it keeps, off the writing thread.
private struct ChunkCollapser {
    let pricing: (any CallPricing)?
    private var indexByKey: [String: Int] = [:]

    init(pricing: (any CallPricing)?) { self.pricing = pricing }

    mutating func take(_ outcome: AgentLogLine, line: Int, path: String, into chunk: inout DecodedChunk) {
        switch outcome {
        case .noUsage: break
        case .skipped(let reason): chunk.skipped.append(SkippedLogLine(path: path, line: line, reason: reason))
        case .request(let record): add(record, into: &chunk)
        case .requests(let records): for record in records { add(record, into: &chunk) }
        }
    }

    private mutating func add(_ record: CallRecord, into chunk: inout DecodedChunk) {
        chunk.requestLines += 1
        guard let key = record.requestID else {
            chunk.records.append(record)
            return
        }
        if let index = indexByKey[key] {
            chunk.collapsed += 1
            if record.usage.isLarger(than: chunk.records[index].usage) {
                // The larger copy's counts, the first copy's time and attribution.
                chunk.records[index].usage = record.usage
            }
            return
        }
        indexByKey[key] = chunk.records.count
        chunk.records.append(record)
    }

    /// Prices the kept records and counts the unpriced ones by model; resets for the next chunk.
    mutating func finish(into chunk: inout DecodedChunk) {
        for index in chunk.records.indices {
            if let quote = pricing?.quote(for: chunk.records[index]) {
                chunk.records[index].cost = quote.cost
                chunk.records[index].pricingEntry = quote.entryID
            } else {
                let record = chunk.records[index]
                chunk.unpricedModels[record.provider + "/" + record.model, default: 0] += 1
            }
        }
        indexByKey.removeAll(keepingCapacity: true)
    }
}

extension AgentLogSource {
    /// A fresh decoder for one of this agent's files, resuming from `state`.
    public func makeDecoder(path: String, state: [UInt8]?) -> any AgentLogLineDecoder {
        switch self {
        case .claudeCode: ClaudeCodeLineDecoder(path: path, resumingFrom: state)
        case .codex: CodexRolloutDecoder(path: path, resumingFrom: state)
        case .gemini: GeminiSessionDecoder(path: path, resumingFrom: state)
        }
    }
}
