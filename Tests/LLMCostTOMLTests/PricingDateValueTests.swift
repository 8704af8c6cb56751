import LLMCostCore
import LLMCostPricing
import Testing

/// Pricing files write dates as TOML values; the reader converts them without a date formatter.
@Suite struct PricingDateValueTests {
    func entries(_ dates: String) throws -> [PriceEntry] {
        let text = """
            provider = "acme"
            [[model]]
            id = "m"
            [[price]]
            model = "m"
            source = "https://acme.example"
            input = "1"
            output = "1"
            \(dates)
            """
        let table = try PriceTableLoader.load(defaults: [], user: [PricingSource(name: "acme.toml", text: text)])
        return try #require(table.models.first).entries
    }

    @Test func localDatesAndOffsetDateTimesGiveExactMilliseconds() throws {
        #expect(try entries("effective_from = 2025-09-29").first?.effectiveFrom == 1_759_104_000_000)
        #expect(try entries("effective_from = 1970-01-01").first?.effectiveFrom == 0)
        #expect(try entries("effective_from = 2024-02-29T17:00:00Z").first?.effectiveFrom == 1_709_226_000_000)
        #expect(try entries("effective_from = 2024-02-29T19:30:00.250+02:30").first?.effectiveFrom == 1_709_226_000_250)
        let entry = try #require(try entries("effective_from = 2025-01-01\neffective_until = \"2025-07-01T00:00:00Z\"").first)
        #expect(entry.effectiveUntil == 1_751_328_000_000)
        // The same instants as the formatter-based parser gives for the same text.
        #expect(PricingDate.parse("2025-09-29") == 1_759_104_000_000)
        #expect(PricingDate.parse("2024-02-29T19:30:00.250+02:30") == 1_709_226_000_250)
    }

    @Test func aLocalDateTimeNeedsAZone() {
        let issues = PriceTableLoader.validate(
            defaults: [],
            user: [PricingSource(name: "acme.toml", text: "provider = \"acme\"\n[[model]]\nid = \"m\"\n[[price]]\nmodel = \"m\"\nsource = \"s\"\ninput = \"1\"\noutput = \"1\"\neffective_from = 2025-01-01T10:00:00\n")])
        #expect(issues.first?.description == "acme.toml:9: `effective_from` needs a time zone (write Z for UTC)")
    }
}
