import Foundation
import LLMCostCore
import Testing
@testable import LLMCostTokenizer

/// The fast merge (character tokens, pair table, scan and heap) against tiktoken's merge
/// written plainly: every byte a part, every candidate pair looked up by its bytes, the lowest
/// rank merged first, the leftmost on ties.
@Suite struct MergeTests {
    static let encodings: [EncodingName] = [.cl100k_base, .o200k_base, .p50k_base]

    /// tiktoken's `byte_pair_merge`, quadratic and without any of the shortcuts under test.
    static func plainMerge(_ piece: [UInt8], table: RankView) -> [UInt32] {
        func rank(_ bytes: [UInt8]) -> UInt32 {
            bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return RankTable.none }
                return table.rank(of: base, length: buffer.count)
            }
        }
        var parts = piece.map { [$0] }
        while parts.count > 1 {
            var bestRank = RankTable.none
            var bestIndex = 0
            for index in 0..<(parts.count - 1) {
                let joined = rank(parts[index] + parts[index + 1])
                if joined < bestRank {
                    bestRank = joined
                    bestIndex = index
                }
            }
            if bestRank == RankTable.none { break }
            parts[bestIndex] += parts[bestIndex + 1]
            parts.remove(at: bestIndex + 1)
        }
        return parts.map(rank)
    }

    /// The pieces the encoding's split pattern cuts `text` into.
    static func pieces(of text: String, _ name: EncodingName) -> [[UInt8]] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [] }
            let utf8 = UTF8Text(base: base, count: buffer.count)
            var result: [[UInt8]] = []
            var start = 0
            while start < buffer.count {
                let end: Int
                switch name.splitPattern {
                case .cl100k: end = CL100KScanner.pieceEnd(in: utf8, from: start)
                case .o200k: end = O200KScanner.pieceEnd(in: utf8, from: start)
                case .p50k: end = P50KScanner.pieceEnd(in: utf8, from: start)
                }
                result.append(Array(buffer[start..<end]))
                start = end
            }
            return result
        }
    }

    /// Every merge path on `piece`: (merge as used, scan only, heap only).
    static func fastMerges(_ piece: [UInt8], table: RankView) -> [[UInt32]] {
        piece.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            var used = TokenArraySink()
            BytePairMerge.merge(base, length: buffer.count, table: table, into: &used)
            var results = [used.ids.map { UInt32($0) }]
            for forceHeap in [false, true] {
                var sink = TokenArraySink()
                withUnsafeTemporaryAllocation(of: BytePairMerge.Part.self, capacity: buffer.count) { parts in
                    let count = BytePairMerge.startingParts(base, length: buffer.count, table: table, into: parts.baseAddress!)
                    if forceHeap {
                        BytePairMerge.mergeByHeap(parts.baseAddress!, count: count, table: table, into: &sink)
                    } else {
                        BytePairMerge.mergeByScan(parts.baseAddress!, count: count, table: table, into: &sink)
                    }
                }
                results.append(sink.ids.map { UInt32($0) })
            }
            return results
        }
    }

    /// Texts that put multi-byte scalars beside every kind of neighbour, from a fixed seed.
    static let mixedTexts: [String] = {
        let pool = Array("的是不了人我在有他这中大来上国个到说们为子和你地出道也时年日本語の言開はまして。、いテキストカタカナ한국어Русскийязык"
            + "ΕλληνικάéèçñüößØåœ¿¡«»—–…€£¥©ﬁ abcXYZ 12 ,.!?'\"\n\t-_/()")
        var generator = SplitMix64(seed: 42)
        return (0..<1500).map { _ in
            String((0..<Int.random(in: 1...80, using: &generator)).map { _ in pool.randomElement(using: &generator)! })
        }
    }()

    @Test(arguments: encodings)
    func everyMergePathMatchesThePlainMerge(name: EncodingName) throws {
        let encoding = try SharedData.encoding(name)
        let table = encoding.table.view
        var texts = Self.mixedTexts
        for file in ["cjk.txt", "multi.txt", "prose_en.txt"] {
            let text = try String(contentsOf: SharedData.corpus.appendingPathComponent(file), encoding: .utf8)
            texts.append(String(text.prefix(30_000)))
        }
        // A Han run of a few thousand bytes (one piece: the heap path) and a long word.
        texts.append(String(repeating: "的是不了人我在有他这中大来上国个到说们为子和你地出道也时年", count: 60))
        texts.append(String(repeating: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbb", count: 3))
        var checked = 0
        for text in texts {
            for piece in Self.pieces(of: text, name) where piece.count >= 2 {
                let expected = Self.plainMerge(piece, table: table)
                let results = Self.fastMerges(piece, table: table)
                #expect(results[0] == expected, "\(name) merge \(String(decoding: piece, as: UTF8.self).debugDescription)")
                #expect(results[1] == expected, "\(name) scan \(String(decoding: piece, as: UTF8.self).debugDescription)")
                #expect(results[2] == expected, "\(name) heap \(String(decoding: piece, as: UTF8.self).debugDescription)")
                checked += 1
            }
        }
        #expect(checked > 5_000)
    }

    /// Whole texts long enough for the piece memo, against the plain merge piece by piece.
    @Test(arguments: encodings)
    func longTextsMatchThePlainEncoding(name: EncodingName) throws {
        let encoding = try SharedData.encoding(name)
        let table = encoding.table.view
        let prose = try String(contentsOf: SharedData.corpus.appendingPathComponent("prose_en.txt"), encoding: .utf8)
        let texts = [Self.mixedTexts.joined(separator: " "), String(prose.prefix(40_000)), Self.mixedTexts.prefix(100).joined()]
        for text in texts {
            #expect(text.utf8.count >= PieceMemo.minimumTextLength)
            var expected: [Int] = []
            for piece in Self.pieces(of: text, name) {
                let whole = piece.withUnsafeBufferPointer { table.rank(of: $0.baseAddress!, length: $0.count) }
                expected += whole != RankTable.none ? [Int(whole)] : Self.plainMerge(piece, table: table).map { Int($0) }
            }
            #expect(encoding.encode(text) == expected, "\(name)")
            #expect(encoding.count(text) == expected.count, "\(name)")
        }
    }

    /// Each character the table lets a merge start from merges, alone, into that very token.
    @Test(arguments: encodings)
    func admittedCharactersMergeAloneIntoTheirToken(name: EncodingName) throws {
        let table = try SharedData.encoding(name).table.view
        var admitted = 0
        for value in 0x80..<CharacterTokens.entryCount {
            let entry = table.characterTokens[value]
            guard entry != 0, let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            admitted += 1
            let bytes = Array(String(scalar).utf8)
            #expect(Self.plainMerge(bytes, table: table) == [UInt32(entry & CharacterTokens.tokenMask)], "U+\(String(value, radix: 16))")
        }
        // Thousands of CJK, Cyrillic, Greek and accented Latin characters are tokens.
        #expect(admitted > (name == .p50k_base ? 200 : 1_000))
    }
}

