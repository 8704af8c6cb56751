/// tiktoken's byte-pair merge for one piece that is not itself a token: repeatedly join the
/// adjacent pair whose concatenation has the lowest rank, the leftmost on ties.
///
/// tiktoken looks up the concatenated bytes of two adjacent parts; every part is a token, so
/// the pair table (`RankView.pairRank`, built from every two-token split of every token) gives
/// the same answer from the two ranks, and the merged part's token is that rank.
///
/// The parts start as the piece's bytes, except that a two- or three-byte scalar starts as its
/// own token where `CharacterTokens` proves that changes nothing (a Han run then has a third
/// of the parts and few merges left). Few parts use tiktoken's own scheme (an array of parts,
/// scanned for the minimum); many parts (a 100k-letter run is one piece) use a heap and a
/// linked list, so the cost stays O(n log n) instead of quadratic. Both pick the same pair at
/// every step.
enum BytePairMerge {
    /// Up to this many starting parts take the linear-scan path.
    static let linearScanLimit = 24

    /// One part: its token and the rank of joining it with the next part.
    struct Part {
        var token: UInt32
        var rank: UInt32
    }

    @inline(__always)
    static func merge<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, length: Int, table: RankView, into sink: inout Sink) {
        withUnsafeTemporaryAllocation(of: Part.self, capacity: length) { buffer in
            let parts = buffer.baseAddress!
            let count = startingParts(piece, length: length, table: table, into: parts)
            if count <= linearScanLimit {
                mergeByScan(parts, count: count, table: table, into: &sink)
            } else {
                mergeByHeap(parts, count: count, table: table, into: &sink)
            }
        }
    }

    /// Fills `parts` with the starting parts of the piece and the ranks of joining neighbours;
    /// returns how many there are.
    @inline(__always)
    static func startingParts(_ piece: UnsafePointer<UInt8>, length: Int, table: RankView, into parts: UnsafeMutablePointer<Part>) -> Int {
        var count = 0
        var index = 0
        // The previous part's byte while it is a single byte, so byte pairs skip the hash.
        var previousByte = -1
        while index < length {
            let lead = piece[index]
            // Pieces are whole scalars of valid UTF-8; the bound only guards a misuse.
            if lead >= 0xC0, lead < 0xF0, index + (lead < 0xE0 ? 2 : 3) <= length {
                let width = lead < 0xE0 ? 2 : 3
                let scalar = width == 2
                    ? Int(lead & 0x1F) << 6 | Int(piece[index + 1] & 0x3F)
                    : Int(lead & 0x0F) << 12 | Int(piece[index + 1] & 0x3F) << 6 | Int(piece[index + 2] & 0x3F)
                let entry = table.characterTokens[scalar]
                if CharacterTokens.admits(entry, piece, start: index, end: index + width, length: length, table: table) {
                    let token = UInt32(truncatingIfNeeded: entry & CharacterTokens.tokenMask)
                    if count > 0 { parts[count - 1].rank = table.pairRank(parts[count - 1].token, token) }
                    parts[count] = Part(token: token, rank: RankTable.none)
                    count += 1
                    previousByte = -1
                    index += width
                    continue
                }
            }
            let token = table.byteRanks[Int(lead)]
            if count > 0 {
                parts[count - 1].rank = previousByte >= 0
                    ? table.bytePairRanks[previousByte << 8 | Int(lead)]
                    : table.pairRank(parts[count - 1].token, token)
            }
            parts[count] = Part(token: token, rank: RankTable.none)
            count += 1
            previousByte = Int(lead)
            index += 1
        }
        return count
    }

    /// tiktoken's scheme: find the lowest rank, merge, update the two ranks beside it, repeat.
    static func mergeByScan<Sink: TokenSink>(_ parts: UnsafeMutablePointer<Part>, count startCount: Int, table: RankView, into sink: inout Sink) {
        let pairTable = table.pairTable
        var count = startCount
        while count > 1 {
            var minRank = RankTable.none
            var minIndex = 0
            for candidate in 0..<(count - 1) where parts[candidate].rank < minRank {
                minRank = parts[candidate].rank
                minIndex = candidate
            }
            if minRank == RankTable.none { break }
            let index = minIndex
            // Both new neighbour ranks are looked up before the removal loop below: their
            // pair-table reads (often an L3 miss) are then under way while it runs, instead of
            // waiting behind its exit branch, which mispredicts for every length of word.
            let rightRank = index + 2 < count ? pairTable.rank(minRank, parts[index + 2].token) : RankTable.none
            let leftRank = index > 0 ? pairTable.rank(parts[index - 1].token, minRank) : RankTable.none
            parts[index].token = minRank
            // Remove parts[index + 1] (a few elements: a loop beats a memmove call).
            var move = index + 1
            while move < count - 1 {
                parts[move] = parts[move + 1]
                move += 1
            }
            count -= 1
            parts[index].rank = rightRank
            if index > 0 { parts[index - 1].rank = leftRank }
        }
        for index in 0..<count { sink.append(parts[index].token) }
    }

    /// The same merges for many parts: a linked list over the parts and a min-heap of
    /// `rank << 32 | part index` (lowest rank first, then leftmost, as tiktoken picks).
    /// Heap entries go stale when a neighbour merges; the live rank in the list is the truth.
    static func mergeByHeap<Sink: TokenSink>(_ parts: UnsafeMutablePointer<Part>, count: Int, table: RankView, into sink: inout Sink) {
        let pairTable = table.pairTable
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * count) { links in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 3 * count) { heapBuffer in
                // `next[i] == count` ends the list; a merged-away part's rank becomes `none`.
                let next = links.baseAddress!
                let previous = links.baseAddress! + count
                let heap = heapBuffer.baseAddress!
                var heapCount = 0
                // Each merge pushes at most two entries, so 3 × count bounds the heap.
                func push(_ value: UInt64) {
                    var child = heapCount
                    heapCount += 1
                    while child > 0 {
                        let parent = (child - 1) >> 1
                        if heap[parent] <= value { break }
                        heap[child] = heap[parent]
                        child = parent
                    }
                    heap[child] = value
                }
                func pop() -> UInt64 {
                    let top = heap[0]
                    heapCount -= 1
                    let last = heap[heapCount]
                    var parent = 0
                    while true {
                        var child = 2 * parent + 1
                        if child >= heapCount { break }
                        if child + 1 < heapCount, heap[child + 1] < heap[child] { child += 1 }
                        if last <= heap[child] { break }
                        heap[parent] = heap[child]
                        parent = child
                    }
                    heap[parent] = last
                    return top
                }

                for index in 0..<count {
                    next[index] = Int32(index + 1)
                    previous[index] = Int32(index - 1)
                    let rank = parts[index].rank
                    if rank != RankTable.none { push(UInt64(rank) << 32 | UInt64(index)) }
                }
                while heapCount > 0 {
                    let top = pop()
                    let start = Int(top & 0xFFFF_FFFF)
                    let rank = UInt32(top >> 32)
                    guard parts[start].rank == rank else { continue }
                    let removed = Int(next[start])
                    parts[removed].rank = RankTable.none
                    parts[start].token = rank
                    let after = Int(next[removed])
                    next[start] = Int32(after)
                    if after < count { previous[after] = Int32(start) }
                    let newRank = after < count ? pairTable.rank(rank, parts[after].token) : RankTable.none
                    parts[start].rank = newRank
                    if newRank != RankTable.none { push(UInt64(newRank) << 32 | UInt64(start)) }
                    let before = Int(previous[start])
                    if before >= 0 {
                        let beforeRank = pairTable.rank(parts[before].token, rank)
                        parts[before].rank = beforeRank
                        if beforeRank != RankTable.none { push(UInt64(beforeRank) << 32 | UInt64(before)) }
                    }
                }
                var index = 0
                while index < count {
                    sink.append(parts[index].token)
                    index = Int(next[index])
                }
            }
        }
    }
}
