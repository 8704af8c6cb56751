/// tiktoken's byte-pair merge for one piece that is not itself a token: repeatedly join the
/// adjacent pair whose concatenation has the lowest rank, the leftmost on ties.
///
/// Short pieces use tiktoken's own scheme (a small array of part boundaries, scanned for the
/// minimum). Long pieces (a 100k-letter run is one piece) use a heap and a linked list, so the
/// cost stays O(n log n) instead of quadratic; both pick the same pair at every step.
enum BytePairMerge {
    /// Pieces up to this many bytes take the linear-scan path.
    static let linearScanLimit = 64

    @inline(__always)
    static func merge<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, length: Int, table: RankView, into sink: inout Sink) {
        if length <= linearScanLimit {
            mergeByScan(piece, length: length, table: table, into: &sink)
        } else {
            mergeByHeap(piece, length: length, table: table, into: &sink)
        }
    }

    private struct Part {
        var start: Int32
        var rank: UInt32
    }

    static func mergeByScan<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, length: Int, table: RankView, into sink: inout Sink) {
        withUnsafeTemporaryAllocation(of: Part.self, capacity: length + 1) { parts in
            // parts[i] starts a current token; parts[i].rank is the rank of joining it with the next.
            var count = length + 1
            var minRank = RankTable.none
            var minIndex = 0
            for index in 0..<(length - 1) {
                let rank = table.rank(of: piece + index, length: 2)
                parts[index] = Part(start: Int32(index), rank: rank)
                if rank < minRank {
                    minRank = rank
                    minIndex = index
                }
            }
            parts[length - 1] = Part(start: Int32(length - 1), rank: RankTable.none)
            parts[length] = Part(start: Int32(length), rank: RankTable.none)

            // Rank of the token that would result from joining parts[i] and parts[i+1] with parts[i+2].
            @inline(__always) func joinedRank(_ index: Int) -> UInt32 {
                guard index + 3 < count else { return RankTable.none }
                let start = Int(parts[index].start)
                return table.rank(of: piece + start, length: Int(parts[index + 3].start) - start)
            }

            while minRank != RankTable.none {
                let index = minIndex
                if index > 0 { parts[index - 1].rank = joinedRank(index - 1) }
                parts[index].rank = joinedRank(index)
                // Remove parts[index + 1].
                (parts.baseAddress! + index + 1).update(from: parts.baseAddress! + index + 2, count: count - index - 2)
                count -= 1
                minRank = RankTable.none
                for candidate in 0..<(count - 1) where parts[candidate].rank < minRank {
                    minRank = parts[candidate].rank
                    minIndex = candidate
                }
            }
            for index in 0..<(count - 1) {
                let start = Int(parts[index].start)
                sink.append(table.rank(of: piece + start, length: Int(parts[index + 1].start) - start))
            }
        }
    }

    static func mergeByHeap<Sink: TokenSink>(_ piece: UnsafePointer<UInt8>, length: Int, table: RankView, into sink: inout Sink) {
        // Token boundaries as a doubly linked list over byte positions; `next[i] == length`
        // ends the list. `pairRank[i]` is the rank of joining the token at i with its successor.
        var next = [Int32](repeating: 0, count: length)
        var previous = [Int32](repeating: -1, count: length)
        var pairRank = [UInt32](repeating: RankTable.none, count: length)
        var alive = [Bool](repeating: true, count: length)
        // Min-heap of (rank << 32 | start): lowest rank first, then leftmost, as tiktoken picks.
        var heap: [UInt64] = []
        heap.reserveCapacity(length)
        for index in 0..<length {
            next[index] = Int32(index + 1)
            previous[index] = Int32(index - 1)
        }

        func rankAt(_ start: Int) -> UInt32 {
            let successor = Int(next[start])
            guard successor < length else { return RankTable.none }
            let end = Int(next[successor])
            return table.rank(of: piece + start, length: end - start)
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
            let end = Int(next[start])
            sink.append(table.rank(of: piece + start, length: end - start))
            start = end
        }
    }
}
