#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LLMCostCore

extension FuzzTarget {
    /// The JSON Lines import codec: the input is a file that `LineReader` splits into lines and
    /// `CallRecordJSONL` decodes. A rejected line names a reason (and a column inside the line);
    /// an accepted one encodes to a line that decodes to the same record.
    public static let jsonl = FuzzTarget(
        name: "jsonl",
        seeds: [
            #"{"ts":"2026-11-20T14:03:00.123Z","provider":"anthropic","model":"claude-sonnet-4-5","agent":"coder \"q\"","session":"s-1","tags":{"team":"platform","feature":"\u00fcn\n"},"request_id":"msg_01","status":"cancelled","input_tokens":1,"output_tokens":2,"cache_read_tokens":3,"cache_write_5m_tokens":4,"cache_write_1h_tokens":5,"reasoning_tokens":2,"web_search_requests":7,"web_fetch_requests":8,"cost_usd":"0.123456789","pricing_entry":"anthropic/claude-sonnet-4-5@2025-09-29","usage_source":"estimated","estimated_input_tokens":10,"estimated_output_tokens":20,"estimated_cost_usd":"0.000000042","latency_ms":1234,"ttft_ms":56,"heuristic_input_tokens":9,"heuristic_correction_ppm":1111111}"#,
            #"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"gpt-4o","input_tokens":10,"cost_usd":0.1,"agent":null}"# + "\r\n"
                + #"{"ts":"2026-11-20 15:03+01:00","provider":"p\u00e9\n","model":"\ud83d\ude00 \/ \"x\"","cost_usd":1e-3}"#,
            #"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"m","input_tokens":-3}"# + "\n\n  \n"
                + #"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"m","output_tokens":1,"reasoning_tokens":2}"#,
            #"{"ts":"2026-11-20T10:00:00Z","provider":"p","model":"m","heuristic_input_tokens":5,"heuristic_correction_ppm":0}"#,
            #"{"ts":"2026-02-29T23:59:60.9999-23:59","provider":"p","model":"m","tags":{"a":"1","a":"2"},"request_id":" "}"#,
            #"{"ts":"1970-01-01T00:00:00Z","provider":"p","model":"m","status":"error","cost_usd":"1000000"} x"#,
            #"{"ts":"0000-01-01T00:00:00+00:00","provider":"p","model":"m"}"# + "\n" + #"{"ts":"9999-12-31T23:59:59.999-00:00","provider":"p","model":"m"}"#,
        ],
        body: { input throws(InvariantViolation) in try JSONLTarget.run(input) })
}

enum JSONLTarget {
    /// One input in this many also goes through `LineReader` and a temporary file: a file and
    /// the reader's 1 MB buffer per input would cost more than all the decoding.
    static let lineReaderSampling: UInt64 = 8

    static func run(_ input: [UInt8]) throws(InvariantViolation) {
        let lines = expectedLines(input)
        if Chunking.fingerprint(input) % lineReaderSampling == 0 {
            let read = try readLines(input)
            guard read == lines else {
                throw InvariantViolation("jsonl: LineReader split the input differently: " + firstDifference(lines, read))
            }
        }
        for line in lines where !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            try check(line)
        }
    }

    /// One line: rejected with a located reason, or accepted and round-tripped.
    static func check(_ line: [UInt8]) throws(InvariantViolation) {
        let record: CallRecord
        do {
            record = try line.withUnsafeBufferPointer { buffer throws(CallRecordJSONL.Failure) in
                try CallRecordJSONL.decode(buffer)
            }
        } catch {
            try checkRejection(error.reason, lineLength: line.count, what: "the line")
            return
        }
        let encoded = CallRecordJSONL.encode(record)
        let decoded: CallRecord
        do {
            decoded = try CallRecordJSONL.decode(encoded)
        } catch {
            throw InvariantViolation("jsonl: an accepted record encodes to \(encoded), which is rejected: \(error.reason)")
        }
        guard decoded == record else {
            throw InvariantViolation("jsonl: an accepted record changes in a round trip through \(encoded): \(record) became \(decoded)")
        }
        let again = CallRecordJSONL.encode(decoded)
        guard again == encoded else {
            throw InvariantViolation("jsonl: encoding is not stable: \(encoded) then \(again)")
        }
    }

    /// A reason must say something, and a column it names must lie inside the line (or just
    /// past its end, where "unexpected end of line" points).
    private static func checkRejection(_ reason: String, lineLength: Int, what: String) throws(InvariantViolation) {
        guard !reason.isEmpty else { throw InvariantViolation("jsonl: \(what) was rejected without a reason") }
        guard reason.hasPrefix("column ") else { return }
        let digits = reason.dropFirst("column ".count).prefix { $0.isASCII && $0.isNumber }
        guard let column = Int(digits), (1...(lineLength + 1)).contains(column) else {
            throw InvariantViolation("jsonl: \(what) (\(lineLength) bytes) was rejected at a column outside it: \(reason)")
        }
    }

    /// The lines as the format defines them: split at LF, one CR before it dropped, a last line
    /// without LF kept.
    static func expectedLines(_ input: [UInt8]) -> [[UInt8]] {
        var lines = input.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Array(line.last == 0x0D ? line.dropLast() : line)
        }
        if input.last == 0x0A || input.isEmpty { lines.removeLast() }
        return lines
    }

    /// The lines `LineReader` hands over for `input` written to a file.
    static func readLines(_ input: [UInt8]) throws(InvariantViolation) -> [[UInt8]] {
        var template = Array("\(temporaryDirectory)/llm-cost-fuzz-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { $0.baseAddress.map(mkstemp) ?? -1 }
        guard descriptor >= 0 else { throw InvariantViolation("jsonl: cannot create a temporary file in \(temporaryDirectory)") }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let written = input.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == input.count else { throw InvariantViolation("jsonl: cannot write the temporary file \(path)") }
        var lines: [[UInt8]] = []
        do {
            try LineReader(path: path).forEachLine { line, number, _ in
                guard number == lines.count + 1 else { throw InvariantViolation("jsonl: LineReader numbered line \(lines.count + 1) as \(number)") }
                lines.append(Array(line))
            }
        } catch let violation as InvariantViolation {
            throw violation
        } catch {
            throw InvariantViolation("jsonl: LineReader failed on a regular file: \(error)")
        }
        return lines
    }

    private static let temporaryDirectory: String = {
        guard let value = getenv("TMPDIR"), value[0] != 0 else { return "/tmp" }
        return String(cString: value)
    }()
}
