import Foundation
import LLMCostCore
import Testing
@testable import LLMCostTokenizer

/// The word-at-a-time shortcuts of the scanner and the piece lookup against their plain
/// byte-by-byte definitions.
@Suite struct ScanTests {
    static let classMasks: [UInt8] = [CharacterClasses.letter, CharacterClasses.lowerLike, CharacterClasses.upperLike, CharacterClasses.number]

    /// Every byte value in every lane of the word agrees with the class table, with all kinds
    /// of neighbours in the other lanes (a carry between lanes would show up here).
    @Test(arguments: classMasks)
    func eightByteClassTestAgreesWithTheClassTable(mask: UInt8) {
        #expect(ASCIIClassWord.covers(mask))
        let fillers: [UInt8] = [0x00, 0x20, 0x41, 0x5A, 0x61, 0x7A, 0x7F, 0x80, 0xC3, 0xFF]
        var disagreements: [String] = []
        for byte in 0...255 {
            for lane in 0..<8 {
                for filler in fillers {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[lane] = UInt8(byte)
                    let word = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                    let matches = ASCIIClassWord.matches(word, mask)
                    for index in 0..<8 {
                        let value = bytes[index]
                        let expected = value < 0x80 && CharacterClasses.basicPlane[Int(value)] & mask != 0
                        if (matches >> UInt64(8 * index + 7)) & 1 != (expected ? 1 : 0) {
                            disagreements.append("byte \(value) lane \(index) beside \(filler)")
                        }
                    }
                }
            }
        }
        #expect(disagreements.isEmpty, "mask \(mask): \(disagreements.prefix(5))")
        #expect(!ASCIIClassWord.covers(CharacterClasses.whitespace))
    }

    /// `runEnd` against a scalar-by-scalar walk, from every start in texts mixing ASCII
    /// letters and digits with multi-byte letters, run ends near and at the text's end.
    @Test func runEndMatchesTheScalarWalk() {
        let pool = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@[`{/: _'éÉßøΩωжЖ的ー٣\u{301}")
        var generator = SplitMix64(seed: 7)
        var checked = 0
        for _ in 0..<400 {
            let length = Int.random(in: 1...40, using: &generator)
            // Long same-kind stretches too, so runs cross several eight-byte words.
            let text = String((0..<length).map { _ in
                Bool.random(using: &generator) ? pool[Int.random(in: 0..<26, using: &generator)] : pool.randomElement(using: &generator)!
            })
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { buffer in
                let utf8 = UTF8Text(base: buffer.baseAddress!, count: buffer.count)
                var starts: [Int] = []
                var position = 0
                while position < buffer.count {
                    starts.append(position)
                    position = utf8.scalarClass(at: position).next
                }
                for mask in Self.classMasks {
                    for start in starts {
                        var expected = start
                        while expected < buffer.count {
                            let (bits, next) = utf8.scalarClass(at: expected)
                            if bits & mask == 0 { break }
                            expected = next
                        }
                        #expect(utf8.runEnd(from: start, matching: mask) == expected, "\(text.debugDescription) from \(start) mask \(mask)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 10_000)
    }

    /// The token filter never turns a token away (it would be encoded as a merge of its
    /// parts) and does turn most strings that are not tokens away.
    @Test(arguments: [EncodingName.cl100k_base, .o200k_base, .p50k_base])
    func tokenFilterPassesEveryTokenAndStopsMostOthers(name: EncodingName) throws {
        let table = try SharedData.encoding(name).table.view
        func key(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
            RankTable.prefixHash(length: bytes.count, prefix: RankTable.packedPrefix(bytes.baseAddress!, bytes.count))
        }
        var turnedAwayTokens = 0
        var tokens = 0
        for rank in 0..<(try SharedData.encoding(name)).mergeableRankCount {
            let bytes = table.tokenBytes(rank)
            guard bytes.count >= 2 else { continue }
            tokens += 1
            if !table.filter.mayContain(key(bytes)) { turnedAwayTokens += 1 }
        }
        #expect(tokens > 40_000)
        #expect(turnedAwayTokens == 0)
        var generator = SplitMix64(seed: 11)
        var others = 0
        var stopped = 0
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 2...12, using: &generator)).map { _ in UInt8.random(in: 0x61...0x7A, using: &generator) }
            let stop = bytes.withUnsafeBufferPointer { buffer -> Bool? in
                guard table.rank(of: buffer.baseAddress!, length: buffer.count) == RankTable.none else { return nil }
                return !table.filter.mayContain(key(buffer))
            }
            guard let stop else { continue }
            others += 1
            if stop { stopped += 1 }
        }
        #expect(others > 10_000)
        #expect(stopped * 10 > others * 8, "\(stopped) of \(others) turned away")
    }

    /// The one-load prefix is the byte-by-byte prefix for every length, whatever follows.
    @Test func oneLoadPrefixEqualsThePackedPrefix() {
        let bytes: [UInt8] = (0..<24).map { UInt8(truncatingIfNeeded: 0xA0 + $0 * 7) }
        bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            for start in 0..<8 {
                for length in 1...16 where start + max(length, 8) <= buffer.count {
                    #expect(RankTable.packedPrefix(base + start, length, eightReadable: ()) == RankTable.packedPrefix(base + start, length),
                            "start \(start) length \(length)")
                }
            }
        }
    }
}
