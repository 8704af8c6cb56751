/// A 128 KB Bloom filter over the tokens' first eight bytes and lengths: "certainly not a
/// token" or "maybe one", answered from the L2 cache.
///
/// Whether a piece is a token is the one branch of the piece loop the predictor cannot learn
/// (prose: one piece in seven is not; mixed scripts: one in five), and the byte table that
/// answers it is 8 MB, so a wrong guess used to cost a cache miss and a pipeline flush on top.
/// With the filter first, a piece that is not a token never touches the byte table, and those
/// that pass are tokens so often (about nine in ten of the others are turned away) that the
/// branch on the table's answer is predicted right.
///
/// Blocked: both bits of a key sit in one 64-bit word, so a test is one load. Keys are
/// `RankTable.prefixHash` (length and first eight bytes), built from the token bytes when the
/// table is made (about a millisecond for o200k), so the rank cache format is unchanged. A longer piece whose first eight bytes start some token passes and is
/// then looked up in full: the filter only ever turns away what the table would not find.
struct TokenFilter {
    /// 2^14 words of 64 bits.
    static let wordBits = 14

    let words: UnsafeMutablePointer<UInt64>

    /// Sets the bits of every token of two bytes or more, from the token bytes by rank
    /// (`offsets`, `bytes`: 2 MB read in order, where the 8 MB of byte slots took longer).
    static func build(offsets: UnsafePointer<UInt32>, bytes: UnsafePointer<UInt8>, rankCount: Int) -> TokenFilter {
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: 1 << wordBits)
        words.initialize(repeating: 0, count: 1 << wordBits)
        for rank in 0..<rankCount {
            let start = Int(offsets[rank])
            let length = Int(offsets[rank + 1]) - start
            guard length >= 2 else { continue }
            let key = RankTable.prefixHash(length: length, prefix: RankTable.packedPrefix(bytes + start, length))
            words[wordIndex(key)] |= bits(key)
        }
        return TokenFilter(words: words)
    }

    func deallocate() { words.deallocate() }

    /// False when no token has this `key` (`RankTable.prefixHash`); true when one may.
    @inline(__always)
    func mayContain(_ key: UInt64) -> Bool {
        let wanted = Self.bits(key)
        return words[Self.wordIndex(key)] & wanted == wanted
    }

    // The top bits pick the word, two other six-bit fields the bits; the byte table's slot
    // comes from the low bits, so the filter's answer does not repeat the table's position.
    @inline(__always)
    private static func wordIndex(_ key: UInt64) -> Int { Int(truncatingIfNeeded: key &>> UInt64(64 - wordBits)) }

    @inline(__always)
    private static func bits(_ key: UInt64) -> UInt64 {
        (1 as UInt64) &<< ((key &>> 32) & 63) | (1 as UInt64) &<< ((key &>> 38) & 63)
    }
}
