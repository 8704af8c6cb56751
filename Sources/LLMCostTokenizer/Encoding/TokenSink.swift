/// Where the encoder puts tokens: counting needs only a number, encoding an array.
/// Generic rather than a closure so each use is specialised and the count path allocates nothing.
protocol TokenSink {
    mutating func append(_ rank: UInt32)
}

struct TokenCountSink: TokenSink {
    var count = 0
    @inline(__always) mutating func append(_ rank: UInt32) { count += 1 }
}

/// Writes into storage the caller has sized for every token (at most one per byte).
struct TokenBufferSink: TokenSink {
    let base: UnsafeMutablePointer<Int>
    var count = 0
    @inline(__always) mutating func append(_ rank: UInt32) {
        base[count] = Int(rank)
        count += 1
    }
}

struct TokenArraySink: TokenSink {
    var ids: [Int] = []
    @inline(__always) mutating func append(_ rank: UInt32) { ids.append(Int(rank)) }
}
