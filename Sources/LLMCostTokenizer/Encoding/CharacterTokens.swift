/// Which two- and three-byte scalars a merge may start from as one whole token, and in what
/// neighbourhood that gives exactly tiktoken's result.
///
/// A run of Han or kana is one piece of hundreds of bytes, and merging it byte by byte spends
/// most of its steps rebuilding characters that are tokens anyway. Starting such a character
/// `c` as its token `T` is exact when no merge that mixes `c`'s bytes with a neighbour's can
/// ever win while `c` is still in parts:
///
/// - Let `M` be the highest rank merged when `c`'s bytes are merged alone (tiktoken's rule on
///   two or three bytes); they must end as the single token `T`.
/// - Every token that spans `c`'s edge (holds part or all of `c` and a byte outside it) must
///   rank above `M`.
///
/// Proof sketch: while `c` is in parts, its next own merge is available with rank at most `M`,
/// so no pair crossing its edge (rank above `M`) is the lowest; `c`'s bytes therefore merge
/// among themselves exactly as when alone, and every other merge sees the same neighbours.
/// Starting from `T` only adds pairs with `T`, whose ranks are above `M` too, so they never
/// undercut a merge the byte-level run makes meanwhile; both runs perform the same merges
/// outside `c` in the same order and end in the same parts.
///
/// The spanning tokens that can occur depend on the bytes around `c` in the piece (nothing
/// beside `c` at a piece's edge asks nothing). Spans that reach one byte into `c` (its lead
/// byte, or its last byte) are checked against the exact neighbour byte at run time, from two
/// 256 × 256 tables of lowest ranks, and so are spans over the first two bytes of a three-byte
/// scalar after another multi-byte one (a Thai, Bengali or Han run). Other spans are kept per
/// neighbour class in the entry's flags: the byte before `c` is ASCII or ends another
/// multi-byte scalar; the byte after it is ASCII or starts one. Classes over-approximate the
/// neighbours, which only ever turns a character away, never admits a wrong one. The tables
/// are built from the vocabulary and stored in the binary rank cache.
///
/// Checked by `MergeTests` (every merge path against a plain byte-level merge) and by
/// `scripts/tokenizer-differential.py` against tiktoken.
enum CharacterTokens {
    /// Scalars below U+10000 have an entry; larger ones (four bytes) always start as bytes.
    static let entryCount = 0x10000
    /// Block bytes: entries (UInt64 each), then the three neighbour tables (UInt32 × 65536 each).
    static let sectionSize = 8 * entryCount + 3 * 4 * 65536
    /// Entry bits 0...19: the character's token. Entry 0 means "start from the bytes".
    static let tokenMask: UInt64 = 0xF_FFFF
    /// Entry bits 20...39: the highest rank merged when the character's bytes merge alone.
    static let highestShift: UInt64 = 20
    /// Exact when the byte before the character is ASCII (spans deeper than its lead byte).
    static let afterASCII: UInt64 = 1 << 40
    /// Exact when the byte before the character ends another multi-byte scalar (spans deeper
    /// than its lead byte, but for three-byte scalars only the whole-scalar ones).
    static let afterMultibyte: UInt64 = 1 << 41
    /// Exact when the byte after the character is ASCII (spans deeper than its last byte).
    static let beforeASCII: UInt64 = 1 << 42
    /// Exact when the byte after the character starts another multi-byte scalar (likewise).
    static let beforeMultibyte: UInt64 = 1 << 43

    /// The flags the neighbours of a character at `start..<end` of a piece of `length` bytes
    /// require: nothing at the piece's edges.
    @inline(__always)
    static func requiredFlags(_ piece: UnsafePointer<UInt8>, start: Int, end: Int, length: Int) -> UInt64 {
        var flags: UInt64 = 0
        if start > 0 { flags |= piece[start - 1] < 0x80 ? afterASCII : afterMultibyte }
        if end < length { flags |= piece[end] < 0x80 ? beforeASCII : beforeMultibyte }
        return flags
    }

    /// Whether the character at `start..<end` of the piece, with `entry`, may start as its
    /// token: its flags cover the neighbours' classes and no one-byte-deep span outranks it.
    @inline(__always)
    static func admits(_ entry: UInt64, _ piece: UnsafePointer<UInt8>, start: Int, end: Int, length: Int, table: RankView) -> Bool {
        let required = requiredFlags(piece, start: start, end: end, length: length)
        guard entry != 0, entry & required == required else { return false }
        let highest = UInt32(truncatingIfNeeded: entry >> highestShift) & UInt32(tokenMask)
        if start > 0, table.leadAfterByte[Int(piece[start - 1]) << 8 | Int(piece[start])] <= highest { return false }
        if end < length, table.byteAfterLast[Int(piece[end - 1]) << 8 | Int(piece[end])] <= highest { return false }
        if start > 0, end - start == 3, piece[start - 1] >= 0x80,
            table.twoAfterContinuation[twoAfterContinuationIndex(piece[start - 1], piece[start], piece[start + 1])] <= highest
        {
            return false
        }
        return true
    }

    /// A continuation byte, then a three-byte lead and its first continuation: 6 + 4 + 6 bits.
    @inline(__always)
    static func twoAfterContinuationIndex(_ before: UInt8, _ lead: UInt8, _ second: UInt8) -> Int {
        Int(before & 0x3F) << 10 | Int(lead & 0x0F) << 6 | Int(second & 0x3F)
    }

    /// Fills the section at `section` (`sectionSize` bytes) for the vocabulary behind `view`.
    static func build(view: RankView, rankCount: Int, into section: UnsafeMutableRawPointer) {
        let entries = section.assumingMemoryBound(to: UInt64.self)
        let leadAfterByte = (section + 8 * entryCount).assumingMemoryBound(to: UInt32.self)
        let byteAfterLast = (section + 8 * entryCount + 4 * 65536).assumingMemoryBound(to: UInt32.self)
        let twoAfterContinuation = (section + 8 * entryCount + 8 * 65536).assumingMemoryBound(to: UInt32.self)
        let none = UInt32.max
        // Lowest rank of a token spanning a character's edge, per kind of span and neighbour
        // (exact byte for the one-byte-deep spans, else class: 0 = ASCII, 1 = multi-byte).
        // "Before" spans end inside or at the end of the character, reaching back over the
        // byte before it; "after" spans start inside or at the start of it, reaching past its end.
        leadAfterByte.initialize(repeating: none, count: 65536)  // byte before << 8 | lead byte
        byteAfterLast.initialize(repeating: none, count: 65536)  // last byte << 8 | byte after
        twoAfterContinuation.initialize(repeating: none, count: 65536)  // twoAfterContinuationIndex
        var beforeTwo = [UInt32](repeating: none, count: 65536)  // ends with lead + 1 continuation, ASCII before
        var beforeWhole = [UInt32](repeating: none, count: 2 * 65536)  // holds the whole scalar, bytes before it
        var afterTwo = [UInt32](repeating: none, count: 2 * 65536)  // starts with the last two continuations
        var afterWhole = [UInt32](repeating: none, count: 2 * 65536)  // starts with the whole scalar
        func lower(_ table: inout [UInt32], _ index: Int, _ rank: UInt32) {
            if rank < table[index] { table[index] = rank }
        }
        func lower(_ table: UnsafeMutablePointer<UInt32>, _ index: Int, _ rank: UInt32) {
            if rank < table[index] { table[index] = rank }
        }
        func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
        func width(_ lead: UInt8) -> Int { lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0 }
        func neighbourClass(_ byte: UInt8) -> Int { byte < 0x80 ? 0 : 1 }
        func scalar(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int {
            count == 2
                ? Int(bytes[start] & 0x1F) << 6 | Int(bytes[start + 1] & 0x3F)
                : Int(bytes[start] & 0x0F) << 12 | Int(bytes[start + 1] & 0x3F) << 6 | Int(bytes[start + 2] & 0x3F)
        }

        for rank in 0..<rankCount {
            let token = view.tokenBytes(rank)
            let length = token.count
            guard length >= 2 else { continue }
            let tokenRank = UInt32(rank)
            // Ends inside a scalar, or with a whole one, and has bytes before that scalar.
            var lastLead = length - 1
            while lastLead > 0, isContinuation(token[lastLead]) { lastLead -= 1 }
            let tail = length - lastLead
            let leadWidth = width(token[lastLead])
            if lastLead > 0, leadWidth == 2 || leadWidth == 3, tail <= leadWidth {
                let before = token[lastLead - 1]
                // A lead byte never ends a scalar, so such a token never spans this edge.
                if before < 0x80 || isContinuation(before) {
                    let side = neighbourClass(before)
                    if tail == leadWidth {
                        lower(&beforeWhole, side * 65536 + scalar(token, lastLead, leadWidth), tokenRank)
                    } else if tail == 1 {
                        lower(leadAfterByte, Int(before) << 8 | Int(token[lastLead]), tokenRank)
                    } else {
                        if side == 0 {
                            lower(&beforeTwo, Int(token[lastLead]) << 8 | Int(token[lastLead + 1]), tokenRank)
                        } else {
                            lower(twoAfterContinuation, twoAfterContinuationIndex(before, token[lastLead], token[lastLead + 1]), tokenRank)
                        }
                    }
                }
            }
            // Starts inside a scalar (with its last one or two continuation bytes), or with a
            // whole one, and has bytes after it.
            var leading = 0
            while leading < length, isContinuation(token[leading]) { leading += 1 }
            if leading >= 1, leading <= 2, leading < length, !isContinuation(token[leading]) {
                let side = neighbourClass(token[leading])
                if leading == 1 {
                    lower(byteAfterLast, Int(token[0]) << 8 | Int(token[1]), tokenRank)
                } else {
                    lower(&afterTwo, side * 65536 + (Int(token[0]) << 8 | Int(token[1])), tokenRank)
                }
            }
            // Every whole two- or three-byte scalar inside the token: bytes after it make it an
            // "after" span; bytes only before it were counted above; bytes on both sides count
            // as "before" (any text holding this token has that byte before the scalar).
            var index = 0
            while index < length {
                let scalarWidth = width(token[index])
                guard scalarWidth == 2 || scalarWidth == 3, index + scalarWidth <= length,
                    (1..<scalarWidth).allSatisfy({ isContinuation(token[index + $0]) })
                else {
                    index += 1
                    continue
                }
                let value = scalar(token, index, scalarWidth)
                let end = index + scalarWidth
                if index == 0, end < length {
                    lower(&afterWhole, neighbourClass(token[end]) * 65536 + value, tokenRank)
                } else if index > 0, end < length {
                    lower(&beforeWhole, neighbourClass(token[index - 1]) * 65536 + value, tokenRank)
                }
                index = end
            }
        }

        entries.initialize(repeating: 0, count: entryCount)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4) { buffer in
            let bytes = buffer.baseAddress!
            for value in 0x80..<0x10000 where !(0xD800...0xDFFF).contains(value) {
                let scalarWidth = value < 0x800 ? 2 : 3
                if scalarWidth == 2 {
                    bytes[0] = UInt8(0xC0 | value >> 6)
                    bytes[1] = UInt8(0x80 | value & 0x3F)
                } else {
                    bytes[0] = UInt8(0xE0 | value >> 12)
                    bytes[1] = UInt8(0x80 | (value >> 6) & 0x3F)
                    bytes[2] = UInt8(0x80 | value & 0x3F)
                }
                guard let highest = highestMergeAlone(bytes, scalarWidth, view: view) else { continue }
                let token = view.rank(of: bytes, length: scalarWidth)
                let lead = Int(bytes[0])
                let lastTwo = Int(bytes[scalarWidth - 2]) << 8 | Int(bytes[scalarWidth - 1])
                var entry = UInt64(token) | UInt64(highest) << highestShift
                for side in 0..<2 {
                    var beforeLowest = beforeWhole[side * 65536 + value]
                    var afterLowest = afterWhole[side * 65536 + value]
                    if scalarWidth == 3 {
                        if side == 0 { beforeLowest = min(beforeLowest, beforeTwo[lead << 8 | Int(bytes[1])]) }
                        afterLowest = min(afterLowest, afterTwo[side * 65536 + lastTwo])
                    }
                    if beforeLowest > highest { entry |= side == 0 ? afterASCII : afterMultibyte }
                    if afterLowest > highest { entry |= side == 0 ? beforeASCII : beforeMultibyte }
                }
                entries[value] = entry
            }
        }
    }

    /// tiktoken's merge of one scalar's two or three bytes on their own: the highest rank it
    /// merges, or nil unless they end as a single token.
    private static func highestMergeAlone(_ bytes: UnsafePointer<UInt8>, _ count: Int, view: RankView) -> UInt32? {
        let whole = view.rank(of: bytes, length: count)
        guard whole != RankTable.none, whole != 0, whole <= tokenMask,
            (0..<count).allSatisfy({ view.byteRanks[Int(bytes[$0])] != RankTable.none })
        else { return nil }
        if count == 2 { return whole }
        let left = view.rank(of: bytes, length: 2)
        let right = view.rank(of: bytes + 1, length: 2)
        let first = min(left, right)
        // Neither pair is a token: the bytes stay apart.
        guard first != RankTable.none else { return nil }
        return max(first, whole)
    }
}
