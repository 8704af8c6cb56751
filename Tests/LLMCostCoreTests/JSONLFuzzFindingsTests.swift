import Testing
@testable import LLMCostCore

/// What fuzzing the JSONL codec found (`Tests/FuzzTests`, `scripts/fuzz.sh`), each with the
/// line that showed it.
@Suite struct JSONLFuzzFindingsTests {
    /// A zone offset moved a time in year 0000 into year -1, or one in 9999 into 10000, which
    /// `export` cannot write: the line was accepted and its record came back as another time,
    /// or as a line `import` rejects.
    @Test(arguments: [
        #"{"ts":"0000-01-01T00:00:00+00:01","provider":"p","model":"m"}"#,
        #"{"ts":"9999-12-31T23:59:00-01:00","provider":"p","model":"m"}"#,
    ])
    func timesOutsideTheYearsTheFormatWritesAreRejected(line: String) {
        #expect(throws: CallRecordJSONL.Failure.self) { try CallRecordJSONL.decode(line) }
    }

    @Test func theFirstAndLastWritableMillisecondsRoundTrip() throws {
        for ts in ["0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "0000-01-01T00:30:00+00:30"] {
            let record = try CallRecordJSONL.decode(#"{"ts":"\#(ts)","provider":"p","model":"m"}"#)
            #expect(try CallRecordJSONL.decode(CallRecordJSONL.encode(record)) == record, "\(ts)")
        }
    }
}
