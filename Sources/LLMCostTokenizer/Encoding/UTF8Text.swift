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
        while position < count {
            let (bits, next) = scalarClass(at: position)
            if bits & mask == 0 { break }
            position = next
        }
        return position
    }
}
