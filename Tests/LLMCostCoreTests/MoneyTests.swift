import Testing
@testable import LLMCostCore

@Suite struct MoneyTests {
    @Test func sharesInBasisPointsNeverOverflow() {
        #expect(Money(nanoUSD: 500).basisPoints(of: Money(nanoUSD: 1000)) == 5000)
        #expect(Money(nanoUSD: 1).basisPoints(of: .zero) == nil)
        // $1M spent of a $5 limit: 2e9 basis points, where Int64 nano-dollars x 10,000 would trap.
        #expect(Money(decimalUSD: "1000000")!.basisPoints(of: Money(decimalUSD: "5")!) == 2_000_000_000)
        #expect(Money(nanoUSD: .max).basisPoints(of: Money(nanoUSD: 1)) == .max)
    }

    @Test func parsesAndPrintsExactly() throws {
        #expect(Money(decimalUSD: "0.007722")?.decimalString == "0.007722000")
        #expect(Money(decimalUSD: "12")?.nanoUSD == 12_000_000_000)
        #expect(Money(decimalUSD: "-1.5")?.decimalString == "-1.500000000")
        #expect(Money(decimalUSD: "1e-3")?.nanoUSD == 1_000_000)
        #expect(Money(decimalUSD: "0.1")! + Money(decimalUSD: "0.2")! == Money(decimalUSD: "0.3")!)
    }

    @Test func roundsHalfToEvenBeyondNanoDollars() {
        #expect(Money(decimalUSD: "0.0000000005")?.nanoUSD == 0)
        #expect(Money(decimalUSD: "0.0000000015")?.nanoUSD == 2)
        #expect(Money(decimalUSD: "0.00000000151")?.nanoUSD == 2)
        #expect(Money(decimalUSD: "0.0000000025")?.nanoUSD == 2)
    }

    @Test(arguments: ["", "-", ".", "1.2.3", "abc", "1e", "0x10", "1,5", " 1", "99999999999"])
    func rejectsWhatIsNotADecimalAmount(text: String) {
        #expect(Money(decimalUSD: text) == nil)
    }

    @Test func formatsForPeople() {
        #expect(Money(nanoUSD: 1_234_567_891_000).formatted() == "$1,234.57")
        #expect(Money(nanoUSD: 4_999_999).formatted() == "$0.00")
        #expect(Money(nanoUSD: 5_000_000).formatted() == "$0.01")
        #expect(Money(nanoUSD: -5_000_000).formatted(places: 4) == "-$0.0050")
    }
}

@Suite struct UsageTests {
    @Test func addsFieldByFieldAndTotalsInput() {
        let a = Usage(inputTokens: 10, outputTokens: 5, cacheReadTokens: 100, cacheWrite5mTokens: 7, cacheWrite1hTokens: 3, reasoningTokens: 2)
        let sum = a + a
        #expect(sum.totalInputTokens == 240)
        #expect(sum.reasoningTokens == 4)
        #expect(a.inconsistency == nil)
        #expect(Usage(outputTokens: 1, reasoningTokens: 2).inconsistency != nil)
        #expect(Usage(inputTokens: -1).inconsistency != nil)
    }
}
