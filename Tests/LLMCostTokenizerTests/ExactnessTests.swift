import Foundation
import Testing
@testable import LLMCostTokenizer

/// Token-for-token equality with tiktoken 0.14.0 on the shared corpus.
@Suite struct ExactnessTests {
    static let encodings: [EncodingName] = [.cl100k_base, .o200k_base, .p50k_base]

    @Test func sharedCasesAreLoaded() {
        #expect(SharedData.cases.count >= 60)
        #expect(SharedData.expectedCounts.count == 4)
    }

    @Test(arguments: encodings)
    func everyCaseEncodesToTiktokensIds(name: EncodingName) throws {
        let encoding = try SharedData.encoding(name)
        for item in SharedData.cases {
            let expected = item.ids(name)
            #expect(encoding.encode(item.text) == expected, "\(name) \(item.text.debugDescription)")
            #expect(encoding.count(item.text) == expected.count, "\(name) \(item.text.debugDescription)")
            #expect(encoding.decode(expected) == item.text, "\(name) \(item.text.debugDescription)")
        }
    }

    @Test(arguments: encodings)
    func corpusFilesCountLikeTiktoken(name: EncodingName) throws {
        let encoding = try SharedData.encoding(name)
        for row in SharedData.expectedCounts {
            let text = try String(contentsOf: SharedData.corpus.appendingPathComponent(row.file), encoding: .utf8)
            #expect(encoding.count(text) == row.counts[name], "\(name) \(row.file)")
            let ids = encoding.encode(text)
            #expect(ids.count == row.counts[name], "\(name) \(row.file)")
            #expect(encoding.decode(ids) == text, "\(name) \(row.file) round trip")
        }
    }

    /// Counts from tiktoken 0.14.0 for long runs, which must also finish without a
    /// quadratic blow-up (a 100k-letter run is a single piece).
    @Test func longRunsOfOneCharacter() throws {
        let letters = String(repeating: "a", count: 100_000)
        let spaces = String(repeating: " ", count: 100_000)
        let o200k = try SharedData.encoding(.o200k_base)
        let cl100k = try SharedData.encoding(.cl100k_base)
        #expect(o200k.count(letters) == 12_500)
        #expect(cl100k.count(letters) == 12_500)
        #expect(o200k.count(spaces) == 782)
        #expect(cl100k.count(spaces) == 782)
        #expect(o200k.decode(o200k.encode(letters + "b" + spaces)) == letters + "b" + spaces)
    }
}
