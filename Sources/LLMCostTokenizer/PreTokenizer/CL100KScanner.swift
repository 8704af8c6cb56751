/// cl100k_base's split pattern:
/// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
enum CL100KScanner: PieceScanner {
    @inline(__always)
    static func pieceEnd(in text: UTF8Text, from start: Int) -> Int {
        typealias C = CharacterClasses
        let first = text[start]
        // 1. '(?i:[sdmt]|ll|ve|re)
        if first == UInt8(ascii: "'") {
            let next = start + 1
            if let end = ContractionMatch.caseInsensitiveS(text, next) { return end }
            if ContractionMatch.isByte(text, next, UInt8(ascii: "d"))
                || ContractionMatch.isByte(text, next, UInt8(ascii: "m"))
                || ContractionMatch.isByte(text, next, UInt8(ascii: "t"))
            {
                return next + 1
            }
            if (ContractionMatch.isByte(text, next, UInt8(ascii: "l")) && ContractionMatch.isByte(text, next + 1, UInt8(ascii: "l")))
                || (ContractionMatch.isByte(text, next, UInt8(ascii: "v")) && ContractionMatch.isByte(text, next + 1, UInt8(ascii: "e")))
                || (ContractionMatch.isByte(text, next, UInt8(ascii: "r")) && ContractionMatch.isByte(text, next + 1, UInt8(ascii: "e")))
            {
                return next + 2
            }
        }
        let (bits, afterFirst) = text.scalarClass(at: start)
        // 2. [^\r\n\p{L}\p{N}]?+\p{L}++ : possessive, so the optional prefix is only worth
        // taking when a letter follows it.
        if bits & C.letter != 0 {
            return text.runEnd(from: afterFirst, matching: C.letter)
        }
        if bits & (C.letter | C.number | C.newline) == 0, afterFirst < text.count {
            let (nextBits, afterSecond) = text.scalarClass(at: afterFirst)
            if nextBits & C.letter != 0 {
                return text.runEnd(from: afterSecond, matching: C.letter)
            }
        }
        // 3. \p{N}{1,3}+
        if bits & C.number != 0 {
            var end = afterFirst
            for _ in 0..<2 where end < text.count {
                let (nextBits, next) = text.scalarClass(at: end)
                if nextBits & C.number == 0 { break }
                end = next
            }
            return end
        }
        // 4. ` ?[^\s\p{L}\p{N}]++[\r\n]*+`: the space is optional but only useful before punctuation.
        let punctuationMask = C.whitespace | C.letter | C.number
        var punctuationStart: Int? = nil
        if bits & punctuationMask == 0 {
            punctuationStart = start
        } else if first == UInt8(ascii: " "), afterFirst < text.count,
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
            while end < text.count, text[end] == 0x0A || text[end] == 0x0D { end += 1 }
            return end
        }
        // Only whitespace is left.
        let run = WhitespaceRun(in: text, from: start)
        // 5. \s++$
        if run.end == text.count { return run.end }
        // 6. \s*[\r\n]: backtracks to the run's last newline.
        if let end = run.endOfLastNewline { return end }
        // 7. \s+(?!\S): the run minus its last scalar, which stays to prefix the next word.
        if run.hasSeveralScalars { return run.lastScalarStart }
        // 8. \s
        return afterFirst
    }
}
