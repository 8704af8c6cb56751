import Foundation

/// The mergeable ranks of an encoding as flat memory: token bytes by rank, and an
/// open-addressing hash table from byte strings to ranks.
///
/// One contiguous block holds everything, so the same layout is built from a `.tiktoken`
/// file or read back whole from the binary cache (`RankCacheFile`) without rebuilding.
/// Layout after the 128-byte header (native little-endian):
/// `offsets: UInt32 × (rankCount + 1)`, `slots: UInt32 × slotCount` (0 = empty, else rank + 1),
/// `bytes: UInt8 × byteCount` (then 8 bytes of padding).
final class RankTable: @unchecked Sendable {
    // @unchecked: the block is written once during construction and only read afterwards.

    static let none = UInt32.max
    static let headerSize = 128

    let block: UnsafeMutableRawBufferPointer
    let rankCount: Int
    let slotCount: Int
    let byteCount: Int
    let maxTokenLength: Int
    private let offsets: UnsafeMutablePointer<UInt32>
    private let slots: UnsafeMutablePointer<UInt32>
    private let bytes: UnsafeMutablePointer<UInt8>
    private let slotMask: Int
    /// Rank of each single byte, for one-byte pieces.
    private let byteRankPointer: UnsafeMutablePointer<UInt32>

    static func blockSize(rankCount: Int, slotCount: Int, byteCount: Int) -> Int {
        headerSize + 4 * (rankCount + 1) + 4 * slotCount + byteCount + 8
    }

    /// Wraps a filled block (from the builder or the cache); takes ownership of it.
    init(block: UnsafeMutableRawBufferPointer, rankCount: Int, slotCount: Int, byteCount: Int, maxTokenLength: Int) {
        self.block = block
        self.rankCount = rankCount
        self.slotCount = slotCount
        self.byteCount = byteCount
        self.maxTokenLength = maxTokenLength
        let base = block.baseAddress!
        offsets = (base + Self.headerSize).assumingMemoryBound(to: UInt32.self)
        slots = (base + Self.headerSize + 4 * (rankCount + 1)).assumingMemoryBound(to: UInt32.self)
        bytes = (base + Self.headerSize + 4 * (rankCount + 1) + 4 * slotCount).assumingMemoryBound(to: UInt8.self)
        slotMask = slotCount - 1
        byteRankPointer = .allocate(capacity: 256)
        byteRankPointer.initialize(repeating: Self.none, count: 256)
        for rank in 0..<rankCount where offsets[rank + 1] - offsets[rank] == 1 {
            byteRankPointer[Int(bytes[Int(offsets[rank])])] = UInt32(rank)
        }
    }

    deinit {
        block.deallocate()
        byteRankPointer.deallocate()
    }

    /// Builds the table from `(token bytes, rank)` pairs; ranks need not be dense
    /// (p50k leaves a hole where its special token sits).
    convenience init(tokens: [(bytes: ArraySlice<UInt8>, rank: Int)]) {
        let rankCount = (tokens.map(\.rank).max() ?? -1) + 1
        let byteCount = tokens.reduce(0) { $0 + $1.bytes.count }
        var slotCount = 1
        while slotCount < 2 * max(tokens.count, 1) { slotCount <<= 1 }
        let size = Self.blockSize(rankCount: rankCount, slotCount: slotCount, byteCount: byteCount)
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        block.initializeMemory(as: UInt8.self, repeating: 0)
        let base = block.baseAddress!
        let offsets = (base + Self.headerSize).assumingMemoryBound(to: UInt32.self)
        let slots = (base + Self.headerSize + 4 * (rankCount + 1)).assumingMemoryBound(to: UInt32.self)
        let bytes = (base + Self.headerSize + 4 * (rankCount + 1) + 4 * slotCount).assumingMemoryBound(to: UInt8.self)
        // Lay token bytes out in rank order; a missing rank gets an empty span.
        var byRank = [Int](repeating: -1, count: rankCount)
        for (index, token) in tokens.enumerated() { byRank[token.rank] = index }
        var cursor = 0
        var longest = 0
        for rank in 0..<rankCount {
            offsets[rank] = UInt32(cursor)
            guard byRank[rank] >= 0 else { continue }
            let token = tokens[byRank[rank]].bytes
            token.withUnsafeBufferPointer { source in
                (bytes + cursor).update(from: source.baseAddress!, count: source.count)
            }
            cursor += token.count
            longest = max(longest, token.count)
        }
        offsets[rankCount] = UInt32(cursor)
        let mask = slotCount - 1
        for rank in 0..<rankCount where byRank[rank] >= 0 {
            let start = Int(offsets[rank])
            let length = Int(offsets[rank + 1]) - start
            var slot = Int(truncatingIfNeeded: Self.hash(bytes + start, length)) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(rank + 1)
        }
        self.init(block: block, rankCount: rankCount, slotCount: slotCount, byteCount: byteCount, maxTokenLength: longest)
    }

    /// The rank of the byte string at `start` of `length` bytes, or `RankTable.none`.
    @inline(__always)
    func rank(of start: UnsafePointer<UInt8>, length: Int) -> UInt32 {
        view.rank(of: start, length: length)
    }

    /// Plain pointers into the block for the hot loop: a struct, so lookups cost no
    /// reference counting. Valid while the table is alive.
    var view: RankView {
        RankView(offsets: offsets, slots: slots, bytes: bytes, slotMask: slotMask, maxTokenLength: maxTokenLength,
                 byteRanks: byteRankPointer)
    }

    /// The bytes of `rank`, empty for a rank outside the table.
    @inline(__always)
    func tokenBytes(_ rank: Int) -> UnsafeBufferPointer<UInt8> {
        guard rank >= 0, rank < rankCount else { return UnsafeBufferPointer(start: bytes, count: 0) }
        let start = Int(offsets[rank])
        return UnsafeBufferPointer(start: bytes + start, count: Int(offsets[rank + 1]) - start)
    }

    /// A fixed, platform-independent hash (the cache stores slot positions, so it must not
    /// change between runs; changing it means bumping the cache version in `TokenizerFiles`): 8-byte words mixed by multiplication.
    @inline(__always)
    static func hash(_ start: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var h = UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9_7F4A_7C15
        var index = 0
        let raw = UnsafeRawPointer(start)
        while index + 8 <= length {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            index += 8
        }
        if index < length {
            // The last 1...7 bytes: one 8-byte load ending at the piece's end when the piece
            // is long enough, else byte by byte; either way exactly the same value.
            let remaining = length - index
            var word: UInt64
            if length >= 8 {
                word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self))
                word >>= UInt64(8 * (8 - remaining))
            } else if length >= 4 {
                // Two overlapping 4-byte loads cover 4...7 bytes; the length (mixed in above)
                // keeps different lengths apart.
                let low = UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self))
                let high = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: length - 4, as: UInt32.self))
                word = UInt64(low) | UInt64(high) << 32
            } else {
                word = UInt64(start[0]) | UInt64(start[length >> 1]) << 8 | UInt64(start[length - 1]) << 16
            }
            h = (h ^ word) &* 0xC4CE_B9FE_1A85_EC53
            h ^= h >> 29
        }
        return h
    }
}

/// The lookup half of `RankTable` as plain pointers (see `RankTable.view`).
struct RankView {
    let offsets: UnsafePointer<UInt32>
    let slots: UnsafePointer<UInt32>
    let bytes: UnsafePointer<UInt8>
    let slotMask: Int
    let maxTokenLength: Int
    let byteRanks: UnsafePointer<UInt32>

    init(offsets: UnsafeMutablePointer<UInt32>, slots: UnsafeMutablePointer<UInt32>, bytes: UnsafeMutablePointer<UInt8>,
         slotMask: Int, maxTokenLength: Int, byteRanks: UnsafeMutablePointer<UInt32>) {
        self.offsets = UnsafePointer(offsets)
        self.slots = UnsafePointer(slots)
        self.bytes = UnsafePointer(bytes)
        self.slotMask = slotMask
        self.maxTokenLength = maxTokenLength
        self.byteRanks = UnsafePointer(byteRanks)
    }

    /// The rank of the byte string at `start` of `length` bytes, or `RankTable.none`.
    @inline(__always)
    func rank(of start: UnsafePointer<UInt8>, length: Int) -> UInt32 {
        if length > maxTokenLength { return RankTable.none }
        var slot = Int(truncatingIfNeeded: RankTable.hash(start, length)) & slotMask
        while true {
            let entry = slots[slot]
            if entry == 0 { return RankTable.none }
            let rank = Int(entry &- 1)
            let tokenStart = Int(offsets[rank])
            if Int(offsets[rank &+ 1]) &- tokenStart == length, Self.equal(bytes + tokenStart, start, length) {
                return UInt32(truncatingIfNeeded: rank)
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
