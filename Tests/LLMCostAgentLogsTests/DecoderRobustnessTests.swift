import Testing
import LLMCostAgentLogs
import LLMCostCore

/// Arbitrary bytes, truncated and mutated lines, and arbitrary saved states: a decoder answers
/// every line without trapping, and whatever it bills is a consistent usage with a request id.
@Suite struct DecoderRobustnessTests {
    static let iterations = 3_000

    static var codexSeeds: [String] { ForkFamily.grandchild + CodexRolloutDecoderTests.resumeFixtures[2] }
    static var geminiSeeds: [String] { GeminiSession.resumedJSONL + [GeminiSession.legacyDocument] }

    @Test func codexSurvivesArbitraryLines() {
        exercise(CodexRolloutDecoder.self, seeds: Self.codexSeeds, seed: 0xC0DE)
    }

    @Test func geminiSurvivesArbitraryLines() {
        exercise(GeminiSessionDecoder.self, seeds: Self.geminiSeeds, seed: 0x6E41)
    }

    private func exercise<Decoder: AgentLogLineDecoder>(_: Decoder.Type, seeds: [String], seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let seedBytes = seeds.map { Array($0.utf8) }
        var decoder = Decoder(path: "/fuzz/chats/session-x.jsonl", resumingFrom: nil)
        var billed = 0
        for iteration in 0..<Self.iterations {
            let input: [UInt8]
            let base = seedBytes[Int(random.next() % UInt64(seedBytes.count))]
            switch iteration % 4 {
            case 0:  // random bytes, JSON punctuation likely
                let alphabet = Array(#"{}[]":,0123456789-.eE truefalsnul\"#.utf8)
                input = (0..<Int(random.next() % 160)).map { _ in
                    random.next() % 3 == 0 ? UInt8(truncatingIfNeeded: random.next()) : alphabet[Int(random.next() % UInt64(alphabet.count))]
                }
            case 1:  // a line cut short
                input = Array(base.prefix(Int(random.next() % UInt64(base.count + 1))))
            case 2:  // a few bytes changed
                var mutated = base
                for _ in 0...(random.next() % 4) where !mutated.isEmpty {
                    mutated[Int(random.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: random.next())
                }
                input = mutated
            default:  // a valid line: keeps the decoder's state interesting
                input = base
            }
            for record in decoder.decode(bytes: input).records {
                billed += 1
                #expect(record.usage.inconsistency == nil, "\(record.usage)")
                #expect(record.requestID?.isEmpty == false)
            }
            if iteration % 97 == 0 {
                // A state saved now, or a damaged one, resumes without trapping.
                var state = decoder.state ?? []
                if iteration % 2 == 1, !state.isEmpty { state[Int(random.next() % UInt64(state.count))] ^= 0x20 }
                decoder = Decoder(path: "/fuzz/chats/session-x.jsonl", resumingFrom: state)
            }
        }
        #expect(billed > 0)
    }
}
