/// o200k_base's split pattern, seven alternatives tried in order:
///
///     A1 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///     A2 [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///     A3 \p{N}{1,3}
///     A4  ?[^\s\p{L}\p{N}]+[\r\n/]*
///     A5 \s*[\r\n]+
///     A6 \s+(?!\S)
///     A7 \s+
///
/// None of these is possessive, so the scanner reproduces the backtracking: each of A1 and A2
/// is tried first with the optional prefix scalar, then without it.
enum O200KScanner: PieceScanner {
    typealias C = CharacterClasses

    @inline(__always)
    static func pieceEnd(in text: UTF8Text, from start: Int) -> Int {
        let (bits, afterFirst) = text.scalarClass(at: start)
        let canBePrefix = bits & (C.letter | C.number | C.newline) == 0 && afterFirst < text.count
        if canBePrefix, let end = lowerEndingWord(in: text, from: afterFirst) { return end }
        if let end = lowerEndingWord(in: text, from: start) { return end }
        if canBePrefix, let end = upperStartingWord(in: text, from: afterFirst) { return end }
        if let end = upperStartingWord(in: text, from: start) { return end }
        // A3
        if bits & C.number != 0 {
            var end = afterFirst
            for _ in 0..<2 where end < text.count {
                let (nextBits, next) = text.scalarClass(at: end)
                if nextBits & C.number == 0 { break }
                end = next
            }
            return end
        }
        // A4
        let punctuationMask = C.whitespace | C.letter | C.number
        var punctuationStart: Int? = nil
        if bits & punctuationMask == 0 {
            punctuationStart = start
        } else if text[start] == UInt8(ascii: " "), afterFirst < text.count,
            text.scalarClass(at: afterFirst).bits & punctuationMask == 0
        {
            punctuationStart = afterFirst
        }
        if let punctuationStart {
            var end = punctuationStart
            while end < text.count {
                let (nextBits, next) = text.scalarClass(at: end)
                if nextBits & punctuationMask != 0 { break }
                end = next
            }
            while end < text.count, text[end] == 0x0A || text[end] == 0x0D || text[end] == UInt8(ascii: "/") {
                end += 1
            }
            return end
        }
        // Only whitespace is left.
        let run = WhitespaceRun(in: text, from: start)
        // A5: \s* backtracks to the run's last newline; [\r\n]+ then takes just that one,
        // since anything after it in the run is other whitespace.
        if let end = run.endOfLastNewline { return end }
        // A6: at the end of the text the whole run; otherwise the run minus its last scalar.
        if run.end == text.count { return run.end }
        if run.hasSeveralScalars { return run.lastScalarStart }
        // A7
        return run.end
    }

    /// A1 without its prefix: `U*` greedy, then `W+`, where U and W overlap on Lm, Lo and M.
    /// Backtracking `U*` lands on the last position whose scalar is in W: the scalar ending
    /// the U run if it is lower-case, else the last U-and-W scalar inside the run.
    @inline(__always)
    static func lowerEndingWord(in text: UTF8Text, from start: Int) -> Int? {
        var position = start
        var lastBoth: Int? = nil
        var nextBits: UInt8 = 0
        while position < text.count {
            let (bits, next) = text.scalarClass(at: position)
            if bits & C.upperLike == 0 {
                nextBits = bits
                break
            }
            if bits & C.lowerLike != 0 { lastBoth = position }
            position = next
        }
        let lowerStart: Int
        if position < text.count, nextBits & C.lowerLike != 0 {
            lowerStart = position
        } else if let lastBoth {
            lowerStart = lastBoth
        } else {
            return nil
        }
        let end = text.runEnd(from: lowerStart, matching: C.lowerLike)
        return contractionEnd(in: text, from: end) ?? end
    }

    /// A2 without its prefix: `U+` then `W*`, both greedy and never needing to back off.
    @inline(__always)
    static func upperStartingWord(in text: UTF8Text, from start: Int) -> Int? {
        guard start < text.count, text.scalarClass(at: start).bits & C.upperLike != 0 else { return nil }
        let upperEnd = text.runEnd(from: start, matching: C.upperLike)
        let end = text.runEnd(from: upperEnd, matching: C.lowerLike)
        return contractionEnd(in: text, from: end) ?? end
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `index`.
    @inline(__always)
    static func contractionEnd(in text: UTF8Text, from index: Int) -> Int? {
        guard index < text.count, text[index] == UInt8(ascii: "'") else { return nil }
        let next = index + 1
        if let end = ContractionMatch.caseInsensitiveS(text, next) { return end }
        if ContractionMatch.isByte(text, next, UInt8(ascii: "t")) || ContractionMatch.isByte(text, next, UInt8(ascii: "m"))
            || ContractionMatch.isByte(text, next, UInt8(ascii: "d"))
        {
            return next + 1
        }
        if (ContractionMatch.isByte(text, next, UInt8(ascii: "r")) && ContractionMatch.isByte(text, next + 1, UInt8(ascii: "e")))
            || (ContractionMatch.isByte(text, next, UInt8(ascii: "v")) && ContractionMatch.isByte(text, next + 1, UInt8(ascii: "e")))
            || (ContractionMatch.isByte(text, next, UInt8(ascii: "l")) && ContractionMatch.isByte(text, next + 1, UInt8(ascii: "l")))
        {
            return next + 2
        }
        return nil
    }
}
