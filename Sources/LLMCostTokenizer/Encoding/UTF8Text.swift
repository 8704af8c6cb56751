/// A borrowed view of valid UTF-8 bytes that the pre-tokenizers walk scalar by scalar.
///
/// The input always comes from a Swift `String`, so it is valid UTF-8 and the decoder can skip
/// validation.
struct UTF8Text {
    let base: UnsafePointer<UInt8>
    let count: Int
    /// `CharacterClasses.basicPlane` or a copy of it, held here so the hot loop skips the
    /// global's lazy-initialisation check on every scalar.
    let classes: UnsafePointer<UInt8>

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.init(base: base, count: count, classes: CharacterClasses.basicPlane)
    }

    /// With the copy of the class table an encoding loaded from its binary cache, which
    /// spares the process building `CharacterClasses.basicPlane` (some 20 ms).
    init(base: UnsafePointer<UInt8>, count: Int, classes: UnsafePointer<UInt8>) {
        self.base = base
        self.count = count
        self.classes = classes
    }

    @inline(__always)
    subscript(_ index: Int) -> UInt8 { base[index] }

    /// The class bits of the scalar starting at `index` and the index just past it.
    @inline(__always)
    func scalarClass(at index: Int) -> (bits: UInt8, next: Int) {
        let lead = base[index]
        if lead < 0x80 {
            return (classes[Int(lead)], index + 1)
        }
        if lead < 0xE0 {
            let value = (UInt32(lead & 0x1F) << 6) | UInt32(base[index + 1] & 0x3F)
            return (classes[Int(value)], index + 2)
        }
        if lead < 0xF0 {
            let value = (UInt32(lead & 0x0F) << 12) | (UInt32(base[index + 1] & 0x3F) << 6)
                | UInt32(base[index + 2] & 0x3F)
            return (classes[Int(value)], index + 3)
        }
        let value = (UInt32(lead & 0x07) << 18) | (UInt32(base[index + 1] & 0x3F) << 12)
            | (UInt32(base[index + 2] & 0x3F) << 6) | UInt32(base[index + 3] & 0x3F)
        return (CharacterClasses.classify(value), index + 4)
    }

    /// The end of the run of scalars, from `index`, whose class shares a bit with `mask`.
    @inline(__always)
    func runEnd(from index: Int, matching mask: UInt8) -> Int {
        var position = index
        // Eight bytes at a time while they are ASCII of the run's class: a word's letters cost
        // a few instructions per eight, and its end is found without a per-letter branch
        // (whose exit, at a different length for every word, the predictor mostly misses).
        if ASCIIClassWord.covers(mask), position < count, base[position] < 0x80 {
            while position &+ 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                let outside = ~ASCIIClassWord.matches(word, mask) & ASCIIClassWord.highBits
                if outside == 0 {
                    position &+= 8
                    continue
                }
                position &+= outside.trailingZeroBitCount &>> 3
                // An ASCII byte outside the class ends the run; a multi-byte scalar needs its class.
                if base[position] < 0x80 { return position }
                break
            }
        }
        while position < count {
            let (bits, next) = scalarClass(at: position)
            if bits & mask == 0 { break }
            position = next
        }
        return position
    }
}

/// ASCII class tests on eight bytes at once (SWAR): the high bit of each byte of the result is
/// set when that byte is ASCII and in the class, exactly as `CharacterClasses` classifies it.
/// No byte's arithmetic carries into the next: every byte is masked to seven bits first, and
/// seven bits plus a constant below 0x80 stay below 0x100.
enum ASCIIClassWord {
    typealias C = CharacterClasses
    static let highBits: UInt64 = 0x8080_8080_8080_8080
    static let lowBits: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// Whether `matches` knows the class `mask` on ASCII: letters, either case group, digits.
    @inline(__always)
    static func covers(_ mask: UInt8) -> Bool {
        mask == C.letter || mask == C.lowerLike || mask == C.upperLike || mask == C.number
    }

    @inline(__always)
    static func matches(_ word: UInt64, _ mask: UInt8) -> UInt64 {
        let seven = word & lowBits
        let ascii = ~word & highBits
        switch mask {
        case C.letter: return between(seven | 0x2020_2020_2020_2020, 0x61, 0x7A) & ascii  // A-Z folded onto a-z
        case C.lowerLike: return between(seven, 0x61, 0x7A) & ascii  // a-z
        case C.upperLike: return between(seven, 0x41, 0x5A) & ascii  // A-Z
        default: return between(seven, 0x30, 0x39) & ascii  // 0-9
        }
    }

    /// High bit of each byte set when that (seven-bit) byte is in `low...high`.
    @inline(__always)
    static func between(_ seven: UInt64, _ low: UInt8, _ high: UInt8) -> UInt64 {
        let atLeastLow = seven &+ repeated(0x80 - low)
        let aboveHigh = seven &+ repeated(0x7F - high)
        return atLeastLow & ~aboveHigh & highBits
    }

    @inline(__always)
    static func repeated(_ byte: UInt8) -> UInt64 { UInt64(byte) &* 0x0101_0101_0101_0101 }
}
