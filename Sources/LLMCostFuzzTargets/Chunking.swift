import LLMCostCore

/// Ways to cut one input into the pieces a network might deliver it in, derived from the input
/// itself so that a failure replays exactly.
enum Chunking {
    /// Inputs up to this size are also fed one byte at a time; longer ones get random splits
    /// only, which keeps a run's cost linear in the input's size.
    static let byteByByteLimit = 256

    /// The split points (piece lengths) to try besides "all at once": one byte at a time for
    /// short inputs, and two random splits with pieces of 1 to 16 bytes, or up to a quarter of
    /// the input.
    static func splits(of input: [UInt8]) -> [[Int]] {
        guard input.count > 1 else { return [] }
        var plans: [[Int]] = []
        if input.count <= byteByByteLimit { plans.append(Array(repeating: 1, count: input.count)) }
        var random = SplitMix64(seed: fingerprint(input))
        for largest in [16, max(2, input.count / 4)] {
            var lengths: [Int] = []
            var remaining = input.count
            while remaining > 0 {
                let length = min(remaining, Int(random.next() % UInt64(largest)) + 1)
                lengths.append(length)
                remaining -= length
            }
            plans.append(lengths)
        }
        return plans
    }

    /// The pieces of `input` for `lengths` (which sum to its count).
    static func pieces(of input: [UInt8], lengths: [Int]) -> [ArraySlice<UInt8>] {
        var start = 0
        return lengths.map { length in
            defer { start += length }
            return input[start..<(start + length)]
        }
    }

    /// FNV-1a over the bytes: a stable seed for the splits of one input.
    static func fingerprint(_ input: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in input {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
