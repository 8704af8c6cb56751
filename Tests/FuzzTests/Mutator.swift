import LLMCostCore

/// Deterministic mutations of seed inputs, for the seeded pass: libFuzzer's kinds of edits
/// (bit flips, byte inserts and deletes, copies, splices of two seeds, truncation) plus the
/// inputs parsers of outside input get wrong: numbers at the edges of their types, deep
/// nesting, invalid UTF-8, stray line terminators and JSON punctuation.
struct Mutator {
    private var random: SplitMix64
    private let seeds: [[UInt8]]

    init(seeds: [[UInt8]], seed: UInt64) {
        self.seeds = seeds.isEmpty ? [[]] : seeds
        random = SplitMix64(seed: seed)
    }

    /// Numbers around Int64's, Double's and `Usage.maximumCount`'s limits, and shapes that are
    /// almost numbers.
    static let interestingNumbers = [
        "0", "-0", "-1", "1.5", "12.0", "1e2", "1E+2", "0.0000000001", "4.9e-324", "1e-400",
        "1000000000000000", "1000000000000001", "9e18", "9007199254740993", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "99999999999999999999999999999999", "1e308", "1e309", "-1e309", "1.7976931348623157e308",
    ]

    /// Bytes that change how SSE and JSON read what follows.
    static let structuralTokens = [
        "\n", "\r", "\r\n", "\n\n", "\r\r", "data: ", "data:", "event: ", "id: ", "retry: ", ": ", ":",
        "\"", "\\", "\\u", "\\ud800", "\\udc00", "\\u0000", "{", "}", "[", "]", ",", "null", "true", "-", ".", "e",
        "[DONE]", "{\"type\":\"error\"}", "\"usage\":{\"input_tokens\":-1}",
    ]

    /// Byte sequences that are not UTF-8: a lone continuation byte, an overlong NUL, a
    /// surrogate, a truncated sequence, bytes never used.
    static let invalidUTF8: [[UInt8]] = [[0x80], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF8], [0xFF, 0xFE]]

    /// The next input: a seed with one to four mutations.
    mutating func next() -> [UInt8] {
        var input = seeds[below(seeds.count)]
        for _ in 0...below(4) { mutate(&input) }
        return input
    }

    private mutating func below(_ bound: Int) -> Int {
        bound <= 1 ? 0 : Int(random.next() % UInt64(bound))
    }

    private mutating func position(in input: [UInt8]) -> Int { below(input.count + 1) }

    private mutating func mutate(_ input: inout [UInt8]) {
        switch below(12) {
        case 0 where !input.isEmpty:  // flip a bit
            let index = below(input.count)
            input[index] ^= 1 << UInt8(below(8))
        case 1 where !input.isEmpty:  // replace a byte
            input[below(input.count)] = UInt8(truncatingIfNeeded: random.next())
        case 2:  // insert random bytes
            let count = 1 + below(8)
            input.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: position(in: input))
        case 3 where !input.isEmpty:  // delete a range
            let start = below(input.count)
            input.removeSubrange(start..<min(input.count, start + 1 + below(32)))
        case 4 where !input.isEmpty:  // copy a range elsewhere
            let start = below(input.count)
            let piece = input[start..<min(input.count, start + 1 + below(64))]
            input.insert(contentsOf: Array(piece), at: position(in: input))
        case 5:  // splice: this input's head, another seed's tail
            let other = seeds[below(seeds.count)]
            input = Array(input[..<position(in: input)]) + Array(other[position(in: other)...])
        case 6:  // a number at the edges, in place of a number if there is one
            let number = Array(Self.interestingNumbers[below(Self.interestingNumbers.count)].utf8)
            if let run = digitRun(in: input, from: below(max(1, input.count))) {
                input.replaceSubrange(run, with: number)
            } else {
                input.insert(contentsOf: number, at: position(in: input))
            }
        case 7:  // deep nesting
            let opener: [UInt8] = below(2) == 0 ? [UInt8(ascii: "[")] : Array(#"{"a":"#.utf8)
            let depth = 1 + below(600)
            input.insert(contentsOf: Array([[UInt8]](repeating: opener, count: depth).joined()), at: position(in: input))
        case 8 where !input.isEmpty:  // truncate
            input.removeSubrange(below(input.count)...)
        case 9:  // invalid UTF-8
            input.insert(contentsOf: Self.invalidUTF8[below(Self.invalidUTF8.count)], at: position(in: input))
        case 10:  // SSE or JSON punctuation
            input.insert(contentsOf: Array(Self.structuralTokens[below(Self.structuralTokens.count)].utf8), at: position(in: input))
        default:  // repeat a byte many times (long lines, long numbers)
            let byte = input.isEmpty ? UInt8(ascii: "9") : input[below(input.count)]
            input.insert(contentsOf: [UInt8](repeating: byte, count: 1 + below(300)), at: position(in: input))
        }
    }

    /// The run of ASCII digits at or after `start`, if any.
    private func digitRun(in input: [UInt8], from start: Int) -> Range<Int>? {
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard let first = input[min(start, input.count)...].firstIndex(where: isDigit) else { return nil }
        let end = input[first...].firstIndex { !isDigit($0) } ?? input.count
        return first..<end
    }
}
