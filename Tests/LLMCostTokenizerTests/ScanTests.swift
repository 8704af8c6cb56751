import Foundation
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
        var generator = SeededGenerator(seed: 7)
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
