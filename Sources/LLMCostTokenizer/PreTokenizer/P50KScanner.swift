/// p50k_base's (and r50k's) split pattern:
/// `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`
enum P50KScanner: PieceScanner {
    @inline(__always)
    static func pieceEnd(in text: UTF8Text, from start: Int) -> Int {
        typealias C = CharacterClasses
        let first = text[start]
        // 1. '(?:[sdmt]|ll|ve|re), case-sensitive here.
        if first == UInt8(ascii: "'"), start + 1 < text.count {
            switch text[start + 1] {
            case UInt8(ascii: "s"), UInt8(ascii: "d"), UInt8(ascii: "m"), UInt8(ascii: "t"):
                return start + 2
            case UInt8(ascii: "l") where start + 2 < text.count && text[start + 2] == UInt8(ascii: "l"):
                return start + 3
            case UInt8(ascii: "v"), UInt8(ascii: "r"):
                if start + 2 < text.count, text[start + 2] == UInt8(ascii: "e") { return start + 3 }
            default:
                break
            }
        }
        let punctuationMask = C.whitespace | C.letter | C.number
        let (bits, afterFirst) = text.scalarClass(at: start)
        // 2-4. ` ?` then a run of letters, numbers or other symbols (possessive runs).
        var classStart = start
        var classBits = bits
        if first == UInt8(ascii: " "), afterFirst < text.count {
            let (nextBits, _) = text.scalarClass(at: afterFirst)
            if nextBits & C.whitespace == 0 {
                classStart = afterFirst
                classBits = nextBits
            }
        }
        if classBits & C.letter != 0 { return text.runEnd(from: classStart, matching: C.letter) }
        if classBits & C.number != 0 { return text.runEnd(from: classStart, matching: C.number) }
        if classBits & punctuationMask == 0 {
            var end = classStart
            while end < text.count {
                let (nextBits, next) = text.scalarClass(at: end)
                if nextBits & punctuationMask != 0 { break }
                end = next
            }
            return end
        }
        // Only whitespace is left.
        let run = WhitespaceRun(in: text, from: start)
        // 5. \s++$
        if run.end == text.count { return run.end }
        // 6. \s+(?!\S)
        if run.hasSeveralScalars { return run.lastScalarStart }
        // 7. \s
        return afterFirst
    }
}
