/// A small direct-mapped memo of merged pieces for one encode call: prose and code repeat the
/// same non-token words (" VIM", "*options", "\tWhen"), and a merge is a dependent chain of
/// pair-table probes in memory far from the cache, while a memo hit is one nearby load.
///
/// Only pieces of up to 16 bytes that merge into at most 3 tokens are kept; a key is the
/// piece's bytes (two zero-padded words) and its length, so a hit is always the exact piece.
/// The memo lives for one call, so encodings stay immutable and shareable; short texts skip
/// it (clearing it would cost more than it saves).
struct PieceMemo {
    /// Texts shorter than this many bytes are encoded without a memo.
    static let minimumTextLength = 4096
    static let maxPieceLength = 16
    static let maxTokens = 3
    /// Slots: about one per 32 bytes of text, from 256 to 4096 (8 to 128 KB), so clearing
    /// the memo stays small beside encoding the text.
    static func entryBits(forTextLength length: Int) -> Int {
        var bits = 8
        while bits < 12, 32 << bits < length { bits += 1 }
        return bits
    }

    struct Entry {
        var low: UInt64
        var high: UInt64
        /// `length << 2 | token count`; 0 = empty.
        var info: UInt32
        var tokens: (UInt32, UInt32, UInt32)
    }

    private let entries: UnsafeMutablePointer<Entry>
    /// 64 minus the slot bits: a hash's top bits pick the slot.
    private let slotShift: UInt64
    /// Room for one piece's tokens while it is merged (at most one per byte).
    private let scratch: UnsafeMutablePointer<UInt32>

    /// An empty memo; `deallocate()` it when the call is done. (Heap, not a stack closure:
    /// a closure around the hot loop costs its generic specialisation.)
    static func allocate(textLength: Int) -> PieceMemo {
        let bits = entryBits(forTextLength: textLength)
        let entryCount = 1 << bits
        let entries = UnsafeMutablePointer<Entry>.allocate(capacity: entryCount)
        // Only `info` marks a slot used; zeroing whole entries is the simplest way.
        UnsafeMutableRawPointer(entries).initializeMemory(as: UInt8.self, repeating: 0, count: entryCount * MemoryLayout<Entry>.stride)
        return PieceMemo(entries: entries, slotShift: UInt64(64 - bits), scratch: .allocate(capacity: maxPieceLength))
    }

    func deallocate() {
        entries.deallocate()
        scratch.deallocate()
    }

    /// Appends the merge of `piece` (not itself a token, `length <= maxPieceLength`) to `sink`.
    // Out of line: inlined, its second copy of the merge pushes the scanner out of the hot loop.
    @inline(never)
    func merge<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, length: Int, table: RankView, into sink: inout Sink) {
        let low = RankTable.packedPrefix(piece, min(length, 8))
        let high = length > 8 ? RankTable.packedPrefix(piece + 8, length - 8) : 0
        let mixed = (low ^ (high &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(truncatingIfNeeded: length)) &* 0xFF51_AFD7_ED55_8CCD
        let entry = entries + Int(truncatingIfNeeded: mixed >> slotShift)
        let info = entry.pointee.info
        if info >> 2 == UInt32(truncatingIfNeeded: length), entry.pointee.low == low, entry.pointee.high == high {
            sink.append(entry.pointee.tokens.0)
            if info & 3 >= 2 { sink.append(entry.pointee.tokens.1) }
            if info & 3 == 3 { sink.append(entry.pointee.tokens.2) }
            return
        }
        var recorded = ScratchSink(base: scratch)
        BytePairMerge.merge(piece, length: length, table: table, into: &recorded)
        for index in 0..<recorded.count { sink.append(scratch[index]) }
        if recorded.count <= Self.maxTokens {
            entry.pointee = Entry(
                low: low, high: high, info: UInt32(truncatingIfNeeded: length) << 2 | UInt32(truncatingIfNeeded: recorded.count),
                tokens: (scratch[0], recorded.count > 1 ? scratch[1] : 0, recorded.count > 2 ? scratch[2] : 0))
        }
    }
}

/// Collects one piece's tokens into a caller-provided buffer.
private struct ScratchSink: TokenSink {
    let base: UnsafeMutablePointer<UInt32>
    var count = 0
    @inline(__always) mutating func append(_ rank: UInt32) {
        base[count] = rank
        count += 1
    }
}
