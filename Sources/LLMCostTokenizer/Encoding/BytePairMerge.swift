/// tiktoken's byte-pair merge for one piece that is not itself a token: repeatedly join the
/// adjacent pair whose concatenation has the lowest rank, the leftmost on ties.
///
/// tiktoken looks up the concatenated bytes of two adjacent parts; every part is a token, so
/// the pair table (`RankView.pairRank`, built from every two-token split of every token) gives
/// the same answer from the two ranks, and the merged part's token is that rank.
/// Short pieces use tiktoken's own scheme (a small array of parts, scanned for the minimum).
/// Long pieces (a 100k-letter run is one piece) use a heap and a linked list, so the cost stays
/// O(n log n) instead of quadratic; both pick the same pair at every step.
enum BytePairMerge {
    /// Pieces up to this many bytes take the linear-scan path.
    static let linearScanLimit = 128

    @inline(__always)
    static func merge<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, length: Int, table: RankView, into sink: inout Sink) {
        if length <= linearScanLimit {
            mergeByScan(piece, length: length, table: table, into: &sink)
        } else {
            mergeByHeap(piece, length: length, table: table, into: &sink)
        }
    }

    private struct Part {
        /// The part's token.
        var token: UInt32
        /// The rank of joining this part with the next one.
        var rank: UInt32
    }

    static func mergeByScan<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, length: Int, table: RankView, into sink: inout Sink) {
        withUnsafeTemporaryAllocation(of: Part.self, capacity: length) { buffer in
            let parts = buffer.baseAddress!
            var count = length
            for index in 0..<length {
                parts[index] = Part(token: table.byteRanks[Int(piece[index])], rank: RankTable.none)
            }
            var minRank = RankTable.none
            var minIndex = 0
            for index in 0..<(length - 1) {
                let rank = table.bytePairRanks[Int(piece[index]) << 8 | Int(piece[index + 1])]
                parts[index].rank = rank
                if rank < minRank {
                    minRank = rank
                    minIndex = index
                }
            }
            while minRank != RankTable.none {
                let index = minIndex
                parts[index].token = minRank
                // Remove parts[index + 1] (a few elements: a loop beats a memmove call).
                var move = index + 1
                while move < count - 1 {
                    parts[move] = parts[move + 1]
                    move += 1
                }
                count -= 1
                parts[index].rank = index + 1 < count ? table.pairRank(minRank, parts[index + 1].token) : RankTable.none
                if index > 0 { parts[index - 1].rank = table.pairRank(parts[index - 1].token, minRank) }
                minRank = RankTable.none
                for candidate in 0..<(count - 1) where parts[candidate].rank < minRank {
                    minRank = parts[candidate].rank
                    minIndex = candidate
                }
            }
            for index in 0..<count { sink.append(parts[index].token) }
        }
    }

    static func mergeByHeap<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, length: Int, table: RankView, into sink: inout Sink) {
        // Parts as a doubly linked list over byte positions; `next[i] == length` ends the list.
        // `pairRank[i]` is the rank of joining the part at i with its successor.
        var next = [Int32](repeating: 0, count: length)
        var previous = [Int32](repeating: -1, count: length)
        var token = [UInt32](repeating: 0, count: length)
        var pairRank = [UInt32](repeating: RankTable.none, count: length)
        var alive = [Bool](repeating: true, count: length)
        // Min-heap of (rank << 32 | start): lowest rank first, then leftmost, as tiktoken picks.
        var heap: [UInt64] = []
        heap.reserveCapacity(length)
        for index in 0..<length {
            next[index] = Int32(index + 1)
            previous[index] = Int32(index - 1)
            token[index] = table.byteRanks[Int(piece[index])]
        }

        func rankAt(_ start: Int) -> UInt32 {
            let successor = Int(next[start])
            guard successor < length else { return RankTable.none }
            return table.pairRank(token[start], token[successor])
        }
        func push(_ value: UInt64) {
            heap.append(value)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                if heap[parent] <= heap[child] { break }
                heap.swapAt(parent, child)
                child = parent
            }
        }
        func pop() -> UInt64 {
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var parent = 0
                while true {
                    let left = 2 * parent + 1
                    if left >= heap.count { break }
                    var smallest = left
                    if left + 1 < heap.count, heap[left + 1] < heap[left] { smallest = left + 1 }
                    if heap[parent] <= heap[smallest] { break }
                    heap.swapAt(parent, smallest)
                    parent = smallest
                }
            }
            return top
        }

        for index in 0..<length {
            let rank = rankAt(index)
            pairRank[index] = rank
            if rank != RankTable.none { push(UInt64(rank) << 32 | UInt64(index)) }
        }
        while !heap.isEmpty {
            let top = pop()
            let start = Int(top & 0xFFFF_FFFF)
            let rank = UInt32(top >> 32)
            // Entries go stale when a neighbour merges; the live state is the truth.
            guard alive[start], pairRank[start] == rank else { continue }
            let removed = Int(next[start])
            alive[removed] = false
            token[start] = rank
            next[start] = next[removed]
            if Int(next[removed]) < length { previous[Int(next[removed])] = Int32(start) }
            let newRank = rankAt(start)
            pairRank[start] = newRank
            if newRank != RankTable.none { push(UInt64(newRank) << 32 | UInt64(start)) }
            let before = Int(previous[start])
            if before >= 0 {
                let beforeRank = rankAt(before)
                pairRank[before] = beforeRank
                if beforeRank != RankTable.none { push(UInt64(beforeRank) << 32 | UInt64(before)) }
            }
        }
        var start = 0
        while start < length {
            sink.append(token[start])
            start = Int(next[start])
        }
    }
}
