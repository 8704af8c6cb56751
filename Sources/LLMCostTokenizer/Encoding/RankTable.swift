import Foundation

/// The mergeable ranks of an encoding as flat memory: token bytes by rank, an open-addressing
/// hash table from byte strings to ranks, and a pair table from two adjacent tokens' ranks to
/// the rank of their concatenation (so merging never rehashes bytes).
///
/// One contiguous block holds everything, so the same layout is built from a `.tiktoken`
/// file or read back whole from the binary cache (`RankCacheFile`) without rebuilding.
/// Layout after the 192-byte header (native little-endian):
/// `offsets: UInt32 × (rankCount + 1)`, padding to 8, `slots: ByteSlot × slotCount` (each the
/// token's first eight bytes, its length and rank + 1, so most lookups touch one cache line),
/// `bytes: UInt8 × byteCount`, padding to 8, `pairs: UInt64 × pairSlotCount`
/// (`left << 40 | right << 20 | merged`, all ones = empty; ranks stay below 2^20),
/// `CharacterTokens.sectionSize` bytes of character tokens (see `CharacterTokens`), `classes: UInt8 × 65536` (a copy of
/// `CharacterClasses.basicPlane`, so a cached load skips building it), 8 spare bytes.
final class RankTable: @unchecked Sendable {
    // @unchecked: the block is written once during construction and only read afterwards.

    static let none = UInt32.max
    static let emptyPair = UInt64.max
    static let headerSize = 192

    struct Shape: Equatable {
        var rankCount: Int
        var slotCount: Int
        var byteCount: Int
        var pairSlotCount: Int

        var offsetsStart: Int { RankTable.headerSize }
        var slotsStart: Int { (offsetsStart + 4 * (rankCount + 1) + 7) & ~7 }
        var bytesStart: Int { slotsStart + MemoryLayout<ByteSlot>.stride * slotCount }
        var pairsStart: Int { (bytesStart + byteCount + 7) & ~7 }
        var characterTokensStart: Int { pairsStart + 8 * pairSlotCount }
        var classesStart: Int { characterTokensStart + CharacterTokens.sectionSize }
        var blockSize: Int { classesStart + 0x10000 + 8 }
    }

    let block: UnsafeMutableRawBufferPointer
    let shape: Shape
    let maxTokenLength: Int
    var rankCount: Int { shape.rankCount }
    let view: RankView
    /// Rank of each single byte, for one-byte pieces and the start of every merge.
    private let byteRankPointer: UnsafeMutablePointer<UInt32>
    /// Rank of every two-byte string (`first << 8 | second`), a merge's first round without hashing.
    private let bytePairRankPointer: UnsafeMutablePointer<UInt32>
    /// Turns most pieces that are not tokens away before the byte table (`TokenFilter`).
    private let filter: TokenFilter

    /// Wraps a filled block (from the builder or the cache); takes ownership of it.
    init(block: UnsafeMutableRawBufferPointer, shape: Shape, maxTokenLength: Int) {
        self.block = block
        self.shape = shape
        self.maxTokenLength = maxTokenLength
        let base = block.baseAddress!
        let offsets = (base + shape.offsetsStart).assumingMemoryBound(to: UInt32.self)
        let bytes = (base + shape.bytesStart).assumingMemoryBound(to: UInt8.self)
        byteRankPointer = .allocate(capacity: 256)
        bytePairRankPointer = .allocate(capacity: 65536)
        byteRankPointer.initialize(repeating: Self.none, count: 256)
        filter = TokenFilter.build(offsets: offsets, bytes: bytes, rankCount: shape.rankCount)
        for rank in 0..<shape.rankCount where offsets[rank + 1] - offsets[rank] == 1 {
            byteRankPointer[Int(bytes[Int(offsets[rank])])] = UInt32(rank)
        }
        view = RankView(
            offsets: offsets, slots: (base + shape.slotsStart).assumingMemoryBound(to: ByteSlot.self), bytes: bytes,
            slotMask: shape.slotCount - 1, maxTokenLength: maxTokenLength, byteRanks: byteRankPointer,
            pairs: (base + shape.pairsStart).assumingMemoryBound(to: UInt64.self),
            pairMask: shape.pairSlotCount - 1, bytePairRanks: bytePairRankPointer,
            characterSection: base + shape.characterTokensStart,
            classes: (base + shape.classesStart).assumingMemoryBound(to: UInt8.self), filter: filter)
        for first in 0..<256 {
            for second in 0..<256 {
                bytePairRankPointer[first << 8 | second] = view.pairRank(byteRankPointer[first], byteRankPointer[second])
            }
        }
    }

    deinit {
        block.deallocate()
        byteRankPointer.deallocate()
        bytePairRankPointer.deallocate()
        filter.deallocate()
    }

    /// Builds the table from `(token bytes, rank)` pairs; ranks need not be dense
    /// (p50k leaves a hole where its special token sits).
    convenience init(tokens: [(bytes: ArraySlice<UInt8>, rank: Int)]) {
        let rankCount = (tokens.map(\.rank).max() ?? -1) + 1
        let byteCount = tokens.reduce(0) { $0 + $1.bytes.count }
        // First the byte section alone, which is enough to find every token's splits.
        let byteShape = Shape(rankCount: rankCount, slotCount: Self.powerOfTwo(atLeast: 2 * tokens.count), byteCount: byteCount, pairSlotCount: 1)
        var longest = 0
        for token in tokens { longest = max(longest, token.bytes.count) }
        let draft = RankTable(block: Self.byteSection(tokens, shape: byteShape), shape: byteShape, maxTokenLength: longest)
        let lookup = draft.view
        // Every split of a token into two tokens is a pair the merge may meet.
        var pairs: [UInt64] = []
        pairs.reserveCapacity(tokens.count * 3)
        for rank in 0..<rankCount {
            let token = lookup.tokenBytes(rank)
            guard token.count >= 2, let base = token.baseAddress else { continue }
            for split in 1..<token.count {
                let left = lookup.rank(of: base, length: split)
                guard left != Self.none else { continue }
                let right = lookup.rank(of: base + split, length: token.count - split)
                guard right != Self.none else { continue }
                pairs.append(UInt64(left) << 40 | UInt64(right) << 20 | UInt64(rank))
            }
        }
        let shape = Shape(rankCount: rankCount, slotCount: byteShape.slotCount, byteCount: byteCount,
                          pairSlotCount: Self.powerOfTwo(atLeast: 2 * pairs.count))
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: shape.blockSize, alignment: 16)
        block.initializeMemory(as: UInt8.self, repeating: 0)
        block.baseAddress!.copyMemory(from: draft.block.baseAddress!, byteCount: byteShape.pairsStart)
        let entries = (block.baseAddress! + shape.pairsStart).assumingMemoryBound(to: UInt64.self)
        entries.initialize(repeating: Self.emptyPair, count: shape.pairSlotCount)
        let mask = shape.pairSlotCount - 1
        for pair in pairs {
            var slot = Self.pairSlot(pair >> 20) & mask
            while entries[slot] != Self.emptyPair { slot = (slot + 1) & mask }
            entries[slot] = pair
        }
        CharacterTokens.build(view: lookup, rankCount: rankCount,
                              into: block.baseAddress! + shape.characterTokensStart)
        (block.baseAddress! + shape.classesStart).copyMemory(from: CharacterClasses.basicPlane, byteCount: 0x10000)
        self.init(block: block, shape: shape, maxTokenLength: longest)
    }

    private static func powerOfTwo(atLeast value: Int) -> Int {
        var result = 1
        while result < value { result <<= 1 }
        return result
    }

    /// A block with offsets, byte hash slots and bytes filled, and an empty pair table.
    private static func byteSection(_ tokens: [(bytes: ArraySlice<UInt8>, rank: Int)], shape: Shape) -> UnsafeMutableRawBufferPointer {
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: shape.blockSize, alignment: 16)
        block.initializeMemory(as: UInt8.self, repeating: 0)
        let base = block.baseAddress!
        let offsets = (base + shape.offsetsStart).assumingMemoryBound(to: UInt32.self)
        let slots = (base + shape.slotsStart).assumingMemoryBound(to: ByteSlot.self)
        let bytes = (base + shape.bytesStart).assumingMemoryBound(to: UInt8.self)
        (base + shape.pairsStart).assumingMemoryBound(to: UInt64.self).initialize(repeating: emptyPair, count: shape.pairSlotCount)
        // Lay token bytes out in rank order; a missing rank gets an empty span.
        var byRank = [Int](repeating: -1, count: shape.rankCount)
        for (index, token) in tokens.enumerated() { byRank[token.rank] = index }
        var cursor = 0
        for rank in 0..<shape.rankCount {
            offsets[rank] = UInt32(cursor)
            guard byRank[rank] >= 0 else { continue }
            let token = tokens[byRank[rank]].bytes
            token.withUnsafeBufferPointer { source in
                (bytes + cursor).update(from: source.baseAddress!, count: source.count)
            }
            cursor += token.count
        }
        offsets[shape.rankCount] = UInt32(cursor)
        let mask = shape.slotCount - 1
        for rank in 0..<shape.rankCount where byRank[rank] >= 0 {
            let start = Int(offsets[rank])
            let length = Int(offsets[rank + 1]) - start
            let prefix = packedPrefix(bytes + start, length)
            var slot = Int(truncatingIfNeeded: hash(bytes + start, length, prefix: prefix)) & mask
            while slots[slot].meta != 0 { slot = (slot + 1) & mask }
            slots[slot] = ByteSlot(prefix: prefix, meta: UInt64(length) << 32 | UInt64(rank + 1))
        }
        return block
    }

    @inline(__always)
    static func pairSlot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 24)
    }

    /// The rank of the byte string at `start` of `length` bytes, or `RankTable.none`.
    @inline(__always)
    func rank(of start: UnsafePointer<UInt8>, length: Int) -> UInt32 {
        view.rank(of: start, length: length)
    }

    /// The bytes of `rank`, empty for a rank outside the table.
    func tokenBytes(_ rank: Int) -> UnsafeBufferPointer<UInt8> {
        guard rank >= 0, rank < shape.rankCount else { return UnsafeBufferPointer(start: view.bytes, count: 0) }
        return view.tokenBytes(rank)
    }

    /// The first min(8, length) bytes, little-endian, zero-padded: exact, with no read
    /// outside the string (overlapping loads for 2...7 bytes).
    @inline(__always)
    static func packedPrefix(_ start: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        let raw = UnsafeRawPointer(start)
        if length >= 8 { return UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) }
        if length >= 4 {
            let low = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self)))
            return low | high << UInt64(8 * (length - 4))
        }
        if length >= 2 {
            let low = UInt64(UInt16(littleEndian: raw.loadUnaligned(as: UInt16.self)))
            let high = UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: length - 2, as: UInt16.self)))
            return low | high << UInt64(8 * (length - 2))
        }
        return length == 1 ? UInt64(start[0]) : 0
    }

    /// `packedPrefix` for a string with at least eight readable bytes from `start` (the rest
    /// of the text): one load and a mask instead of a branch on the length, which for words
    /// of every length the predictor often gets wrong.
    @inline(__always)
    static func packedPrefix(_ start: UnsafePointer<UInt8>, _ length: Int, eightReadable: Void) -> UInt64 {
        let word = UInt64(littleEndian: UnsafeRawPointer(start).loadUnaligned(as: UInt64.self))
        let keptBits = UInt64(truncatingIfNeeded: 8 &* min(length, 8))
        return word & (UInt64.max &>> (64 &- keptBits))
    }

    /// A fixed, platform-independent hash (the cache stores slot positions, so it must not
    /// change between runs; changing it means bumping the cache version in `TokenizerFiles`).
    /// `prefix` is `packedPrefix(start, length)`, which the caller needs anyway.
    @inline(__always)
    static func hash(_ start: UnsafePointer<UInt8>, _ length: Int, prefix: UInt64) -> UInt64 {
        hash(start, length, prefixHash: prefixHash(length: length, prefix: prefix))
    }

    /// The hash of a string's length and first eight bytes alone: the whole `hash` of strings
    /// up to eight bytes, and the key of `TokenFilter`.
    @inline(__always)
    static func prefixHash(length: Int, prefix: UInt64) -> UInt64 {
        var h = (UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9_7F4A_7C15) ^ prefix
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 32
        return h
    }

    /// `hash` from the string's `prefixHash`, when the caller has it already.
    @inline(__always)
    static func hash(_ start: UnsafePointer<UInt8>, _ length: Int, prefixHash: UInt64) -> UInt64 {
        var h = prefixHash
        guard length > 8 else { return h }
        let raw = UnsafeRawPointer(start)
        var index = 8
        while index + 8 <= length {
            h = (h ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))) &* 0xC4CE_B9FE_1A85_EC53
            h ^= h >> 29
            index += 8
        }
        if index < length {
            // The last 1...7 bytes, as one load ending at the string's end.
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)) >> UInt64(8 * (8 - (length - index)))
            h = (h ^ word) &* 0xC4CE_B9FE_1A85_EC53
            h ^= h >> 29
        }
        return h
    }
}

/// One byte-table slot: the token's first eight bytes and `length << 32 | rank + 1` (0 = empty).
struct ByteSlot {
    var prefix: UInt64
    var meta: UInt64
}

/// The lookup half of `RankTable` as plain pointers: a struct, so the hot loop pays no
/// reference counting. Valid while its table is alive.
struct RankView {
    let offsets: UnsafePointer<UInt32>
    let slots: UnsafePointer<ByteSlot>
    let bytes: UnsafePointer<UInt8>
    let slotMask: Int
    let maxTokenLength: Int
    let byteRanks: UnsafePointer<UInt32>
    let pairs: UnsafePointer<UInt64>
    /// See `RankTable.bytePairRankPointer`; filled right after the view is made.
    let bytePairRanks: UnsafePointer<UInt32>
    let pairMask: Int
    /// Per scalar below U+10000: its token and where starting from it is exact (`CharacterTokens`).
    let characterTokens: UnsafePointer<UInt64>
    /// Lowest rank of a token ending with `byte before << 8 | lead byte` (`CharacterTokens`).
    let leadAfterByte: UnsafePointer<UInt32>
    /// Lowest rank of a token starting with `last byte << 8 | byte after` (`CharacterTokens`).
    let byteAfterLast: UnsafePointer<UInt32>
    /// Lowest rank of a token ending with a continuation byte, a three-byte lead and its next
    /// byte (`CharacterTokens.twoAfterContinuationIndex`).
    let twoAfterContinuation: UnsafePointer<UInt32>
    /// `CharacterClasses.basicPlane`, from the block.
    let classes: UnsafePointer<UInt8>
    /// See `TokenFilter`; `pieceRank` asks it first.
    let filter: TokenFilter

    init(offsets: UnsafeMutablePointer<UInt32>, slots: UnsafeMutablePointer<ByteSlot>, bytes: UnsafeMutablePointer<UInt8>,
         slotMask: Int, maxTokenLength: Int, byteRanks: UnsafeMutablePointer<UInt32>,
         pairs: UnsafeMutablePointer<UInt64>, pairMask: Int, bytePairRanks: UnsafeMutablePointer<UInt32>,
         characterSection: UnsafeMutableRawPointer, classes: UnsafeMutablePointer<UInt8>, filter: TokenFilter) {
        self.offsets = UnsafePointer(offsets)
        self.slots = UnsafePointer(slots)
        self.bytes = UnsafePointer(bytes)
        self.slotMask = slotMask
        self.maxTokenLength = maxTokenLength
        self.byteRanks = UnsafePointer(byteRanks)
        self.pairs = UnsafePointer(pairs)
        self.bytePairRanks = UnsafePointer(bytePairRanks)
        self.pairMask = pairMask
        characterTokens = UnsafePointer(characterSection.assumingMemoryBound(to: UInt64.self))
        leadAfterByte = UnsafePointer((characterSection + 8 * CharacterTokens.entryCount).assumingMemoryBound(to: UInt32.self))
        byteAfterLast = UnsafePointer((characterSection + 8 * CharacterTokens.entryCount + 4 * 65536).assumingMemoryBound(to: UInt32.self))
        twoAfterContinuation = UnsafePointer((characterSection + 8 * CharacterTokens.entryCount + 8 * 65536).assumingMemoryBound(to: UInt32.self))
        self.classes = UnsafePointer(classes)
        self.filter = filter
    }

    @inline(__always)
    func tokenBytes(_ rank: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(offsets[rank])
        return UnsafeBufferPointer(start: bytes + start, count: Int(offsets[rank + 1]) - start)
    }

    /// The rank of the token spelled by tokens `left` then `right`, or `RankTable.none`:
    /// the same answer as looking their concatenated bytes up, without touching bytes.
    @inline(__always)
    func pairRank(_ left: UInt32, _ right: UInt32) -> UInt32 {
        pairTable.rank(left, right)
    }

    /// The pair table alone: two words, so merge loops keep it in registers instead of
    /// reloading it from the view before every probe.
    var pairTable: PairTable { PairTable(entries: pairs, mask: pairMask) }
}

/// `RankView.pairRank`'s table: `left << 40 | right << 20 | merged` entries, linear probing.
struct PairTable {
    let entries: UnsafePointer<UInt64>
    let mask: Int

    @inline(__always)
    func rank(_ left: UInt32, _ right: UInt32) -> UInt32 {
        // `left` or `right` may be `RankTable.none` (a byte without a rank); its high bits
        // then make a key no entry has.
        let key = UInt64(left) << 20 | UInt64(right)
        var slot = RankTable.pairSlot(key) & mask
        while true {
            let entry = entries[slot]
            if entry == RankTable.emptyPair { return RankTable.none }
            if entry >> 20 == key { return UInt32(truncatingIfNeeded: entry & 0xF_FFFF) }
            slot = (slot &+ 1) & mask
        }
    }
}

extension RankView {

    /// The rank of the byte string at `start` of `length` bytes, or `RankTable.none`.
    @inline(__always)
    func rank(of start: UnsafePointer<UInt8>, length: Int) -> UInt32 {
        if length > maxTokenLength { return RankTable.none }
        let prefix = RankTable.packedPrefix(start, length)
        return rank(of: start, length: length, prefix: prefix, hash: RankTable.hash(start, length, prefix: prefix))
    }

    /// The rank of a piece of text (one to `maxTokenLength` bytes) ending `readable` bytes
    /// before the text's end: `rank(of:length:)`, its prefix read in one load when it can, and
    /// most pieces that are not tokens turned away by `TokenFilter` before the byte table.
    @inline(__always)
    func pieceRank(of start: UnsafePointer<UInt8>, length: Int, readable: Int) -> UInt32 {
        if length > maxTokenLength { return RankTable.none }
        let prefix = readable >= 8
            ? RankTable.packedPrefix(start, length, eightReadable: ())
            : RankTable.packedPrefix(start, length)
        let prefixHash = RankTable.prefixHash(length: length, prefix: prefix)
        if !filter.mayContain(prefixHash) { return RankTable.none }
        return rank(of: start, length: length, prefix: prefix, hash: RankTable.hash(start, length, prefixHash: prefixHash))
    }

    /// The lookup proper, given the string's `RankTable.packedPrefix` and `RankTable.hash`.
    @inline(__always)
    func rank(of start: UnsafePointer<UInt8>, length: Int, prefix: UInt64, hash: UInt64) -> UInt32 {
        let wanted = UInt64(truncatingIfNeeded: length) << 32
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let entry = slots[slot]
            if entry.meta == 0 { return RankTable.none }
            if entry.meta & 0xFFFF_FFFF_0000_0000 == wanted, entry.prefix == prefix {
                let rank = UInt32(truncatingIfNeeded: entry.meta) &- 1
                if length <= 8 { return rank }
                let tokenStart = Int(offsets[Int(rank)])
                if Self.equal(bytes + tokenStart + 8, start + 8, length - 8) { return rank }
            }
            slot = (slot &+ 1) & slotMask
        }
    }

    /// Byte equality without a libc call for the short strings that dominate.
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        if length > 16 { return memcmp(a, b, length) == 0 }
        var index = 0
        while index < length {
            if a[index] != b[index] { return false }
            index &+= 1
        }
        return true
    }
}
