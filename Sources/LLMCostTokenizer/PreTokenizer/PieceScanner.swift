/// A hand-written equivalent of one tiktoken split regex: given where a piece starts, it
/// returns where the regex's `find_iter` match starting there ends.
///
/// Each scanner follows the regex's leftmost-first alternation and backtracking exactly; the
/// comments in each file derive the scanner from the pattern, and the corpus, `cases.json` and
/// the differential script (`scripts/tokenizer-differential.py`) check it.
protocol PieceScanner {
    static func pieceEnd(in text: UTF8Text, from start: Int) -> Int
}

/// Whitespace-run facts shared by the `\s...` alternatives of all three patterns.
struct WhitespaceRun {
    /// Index just past the maximal run of `\s` scalars.
    var end: Int
    /// Start of the run's last scalar (what `\s+(?!\S)` backs off to).
    var lastScalarStart: Int
    /// Index just past the run's last `\r` or `\n`, or nil when it has none.
    var endOfLastNewline: Int?
    /// Whether the run holds two or more scalars.
    var hasSeveralScalars: Bool

    @inline(__always)
    init(in text: UTF8Text, from start: Int) {
        var position = start
        var lastStart = start
        var newlineEnd: Int? = nil
        var scalars = 0
        while position < text.count {
            let (bits, next) = text.scalarClass(at: position)
            if bits & CharacterClasses.whitespace == 0 { break }
            if bits & CharacterClasses.newline != 0 { newlineEnd = next }
            lastStart = position
            scalars += 1
            position = next
        }
        end = position
        lastScalarStart = lastStart
        endOfLastNewline = newlineEnd
        hasSeveralScalars = scalars > 1
    }
}

/// ASCII helpers for the contraction alternatives.
enum ContractionMatch {
    @inline(__always)
    static func isByte(_ text: UTF8Text, _ index: Int, _ lower: UInt8) -> Bool {
        index < text.count && (text[index] | 0x20) == lower
    }

    /// Under `(?i)`, `s` also matches U+017F LATIN SMALL LETTER LONG S (UTF-8 C5 BF) by Unicode
    /// simple case folding; returns the end of the `s` when present.
    @inline(__always)
    static func caseInsensitiveS(_ text: UTF8Text, _ index: Int) -> Int? {
        guard index < text.count else { return nil }
        if text[index] | 0x20 == UInt8(ascii: "s") { return index + 1 }
        if text[index] == 0xC5, index + 1 < text.count, text[index + 1] == 0xBF { return index + 2 }
        return nil
    }
}
