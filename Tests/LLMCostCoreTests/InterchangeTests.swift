import Foundation
import Testing
@testable import LLMCostCore

@Suite struct TimestampTests {
    @Test func parsesZonesFractionsAndFormatsBack() {
        #expect(Timestamp.parseMilliseconds("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.parseMilliseconds("2026-11-20T14:03:00.123Z") == 1_795_183_380_123)
        #expect(Timestamp.parseMilliseconds("2026-11-20T15:03:00.123+01:00") == 1_795_183_380_123)
        #expect(Timestamp.parseMilliseconds("2026-11-20T14:03:00.123456789Z") == 1_795_183_380_123)
        #expect(Timestamp.parseMilliseconds("2026-11-20 14:03Z") == 1_795_183_380_000)
        #expect(Timestamp.format(milliseconds: 1_795_183_380_123) == "2026-11-20T14:03:00.123Z")
        #expect(Timestamp.format(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        // Past four-digit years: the expanded form, never a trap.
        #expect(Timestamp.format(milliseconds: 253_402_300_800_000) == "+010000-01-01T00:00:00.000Z")
        #expect(Timestamp.format(milliseconds: -62_167_219_200_001) == "-000001-12-31T23:59:59.999Z")
        #expect(Timestamp.format(milliseconds: Int64.max).hasPrefix("+"))
        #expect(Timestamp.format(milliseconds: Int64.min + 1000).hasPrefix("-"))
    }

    @Test(arguments: ["2026-02-30T00:00:00Z", "2026-11-20T14:03:00", "2026-11-20", "2026-13-01T00:00:00Z", "20261120T140300Z", "2026-11-20T25:00:00Z", "yesterday"])
    func rejectsWhatIsNotAZonedDateTime(text: String) {
        #expect(Timestamp.parseMilliseconds(text) == nil)
    }

    @Test func civilDayArithmeticRoundTripsOverCenturies() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let date = Timestamp.civilFromDays(days)
            #expect(Timestamp.daysFromCivil(year: date.year, month: date.month, day: date.day) == days)
        }
    }
}

@Suite struct CallRecordJSONLTests {
    @Test func aFullRecordRoundTripsExactly() throws {
        var record = CallRecord(timestamp: Date(), provider: "anthropic", model: "claude-sonnet-4-5", agent: "coder \"quoted\"", session: "s-1")
        record.epochMilliseconds = 1_795_183_380_123
        record.tags = ["team": "platform", "feature": "ünïcødé\n✓"]
        record.requestID = "msg_01"
        record.status = .cancelled
        record.usage = Usage(inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheWrite5mTokens: 4, cacheWrite1hTokens: 5, reasoningTokens: 2, webSearchRequests: 7, webFetchRequests: 8)
        record.usageSource = .estimated
        record.cost = Money(decimalUSD: "0.123456789")
        record.pricingEntry = "anthropic/claude-sonnet-4-5@2025-09-29"
        record.estimatedUsage = Usage(inputTokens: 10, outputTokens: 20)
        record.estimatedCost = Money(nanoUSD: 42)
        record.latencyMilliseconds = 1234
        record.timeToFirstTokenMilliseconds = 56
        record.heuristicEstimate = HeuristicInputEstimate(rawTokens: 9, factorPartsPerMillion: 1_111_111)
        let line = CallRecordJSONL.encode(record)
        #expect(try CallRecordJSONL.decode(line) == record)
        #expect(CallRecordJSONL.encode(try CallRecordJSONL.decode(line)) == line)
    }

    @Test func acceptsTheMinimalFormAndNumbersForCost() throws {
        let record = try CallRecordJSONL.decode(#"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"gpt-4o","input_tokens":10,"cost_usd":0.1,"agent":null}"#)
        #expect(record.usage.inputTokens == 10)
        #expect(record.cost == Money(nanoUSD: 100_000_000))
        #expect(record.agent == nil)
        #expect(record.status == .ok)
    }

    @Test(arguments: [
        (#"{"ts":"2026-11-20T10:00:00Z","provider":"openai"}"#, "missing field \"model\""),
        (#"{"provider":"openai","model":"m"}"#, "missing field \"ts\""),
        (#"{"ts":"yesterday","provider":"openai","model":"m"}"#, "ts: expected an ISO 8601 date-time"),
        (#"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"m","input_tokens":-3}"#, "input_tokens: expected a non-negative integer, got -3"),
        (#"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"m","input_tokens":1.5}"#, "input_tokens: expected a non-negative integer, got 1.5"),
        (#"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"m","inptu_tokens":1}"#, "unknown field \"inptu_tokens\""),
        (#"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"m","status":"done"}"#, "status: expected ok, error or cancelled"),
        (#"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"m","cost_usd":"12,50"}"#, "cost_usd: expected a decimal USD amount"),
        (#"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"m","output_tokens":1,"reasoning_tokens":2}"#, "reasoning_tokens (2) exceeds output_tokens (1)"),
        (#"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"m"} x"#, "unexpected text after the object"),
        (#"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"m""#, "unexpected end of line"),
        (#"[1,2]"#, "expected '{'"),
        (#"{"ts":"2026-11-20T10:00:00Z","ts":"2026-11-20T10:00:00Z","provider":"p","model":"m"}"#, "field \"ts\" appears twice"),
        (#"{"ts":"2026-11-20T10:00:00Z","provider":"p","model":"m","heuristic_input_tokens":5}"#, "come together"),
        (#"{"ts":"2026-11-20T10:00:00Z","provider":"p","model":"m","heuristic_input_tokens":5,"heuristic_correction_ppm":0}"#, "heuristic_correction_ppm: expected a positive integer"),
    ])
    func namesWhatIsWrong(line: String, expected: String) {
        do {
            _ = try CallRecordJSONL.decode(line)
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}

@Suite struct JSONScannerTests {
    @Test func decodesEscapesAndSurrogatePairs() throws {
        let record = try CallRecordJSONL.decode(#"{"ts":"2026-11-20T10:00:00Z","provider":"p\u00e9\n","model":"\ud83d\ude00 \/ \"x\""}"#)
        #expect(record.provider == "pé\n")
        #expect(record.model == "😀 / \"x\"")
    }

    /// Reads `text` as one string value with the given policy.
    func string(_ text: String, _ policy: JSONScanner.LoneSurrogates) throws -> String {
        var text = text
        return try text.withUTF8 { buffer in
            var scanner = JSONScanner(buffer, loneSurrogates: policy)
            guard case .string(let value) = try scanner.readScalar() else { throw scanner.failure("not a string") }
            return value
        }
    }

    @Test func loneSurrogatesAreRejectedOrReplacedAsAsked() throws {
        for text in [#""\ud800x""#, #""\udc00""#, #""\ud800\u0041""#] {
            #expect(throws: JSONScanner.Failure.self) { try string(text, .reject) }
        }
        #expect(try string(#""\ud800x""#, .replace) == "\u{FFFD}x")
        #expect(try string(#""\udc00""#, .replace) == "\u{FFFD}")
        // The escape after a lone high half is its own character, not swallowed.
        #expect(try string(#""\ud800\u0041""#, .replace) == "\u{FFFD}A")
        #expect(try string(#""\ud83d\ude00""#, .reject) == "😀")
    }

    @Test(arguments: ["0", "-0", "12", "-3.25", "1e5", "2.5E-2", "6.02e+23"])
    func numbersFollowTheGrammar(text: String) throws {
        var text = text
        let digits = try text.withUTF8 { buffer in
            var scanner = JSONScanner(buffer)
            guard case .number(let digits) = try scanner.readScalar(), scanner.isAtEnd else { throw scanner.failure("not a whole number") }
            return String(decoding: digits, as: UTF8.self)
        }
        #expect(digits == text)
    }

    @Test(arguments: ["01", "-", "1.", ".5", "1e", "1e+", "-x"])
    func malformedNumbersAreRejected(text: String) throws {
        var text = text
        let accepted: Bool = text.withUTF8 { buffer in
            var scanner = JSONScanner(buffer)
            guard case .number = try? scanner.readScalar() else { return false }
            return scanner.isAtEnd
        }
        #expect(!accepted)
    }

    @Test func skippingHostileNestingFailsInsteadOfOverflowing() throws {
        var deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONScanner.Failure.self) {
            try deep.withUTF8 { buffer in
                var scanner = JSONScanner(buffer)
                try scanner.skipValue()
            }
        }
        var fine = #"[1, {"a": [true, null, "x"]}, []]"#
        try fine.withUTF8 { buffer in
            var scanner = JSONScanner(buffer)
            try scanner.skipValue()
            let atEnd = scanner.isAtEnd
            #expect(atEnd)
        }
    }
}
