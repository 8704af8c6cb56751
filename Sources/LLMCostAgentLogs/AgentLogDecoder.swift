#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LLMCostCore

/// What one line of an agent log held.
public enum AgentLogLine: Sendable, Equatable, CustomStringConvertible {
    /// A billed request. Its `requestID` identifies it across lines and files: the same request
    /// written again (a streamed copy, a sub-agent's request in its parent's log) has the same
    /// one, and the copy with the most tokens is the one billed.
    case request(CallRecord)
    /// Several billed requests on one line (a Gemini CLI `$set` carrying a whole message list).
    case requests([CallRecord])
    /// A line without billed usage: a user turn, a tool result, a heartbeat, a client notice.
    case noUsage
    /// A line that is not JSON, or not the shape expected where usage is (named in the summary).
    case skipped(reason: String)

    /// One short line for test failures and logs: the kind, and the request ids or the reason.
    public var description: String {
        switch self {
        case .request(let record): "request \(record.requestID ?? "-")"
        case .requests(let records): "requests \(records.map { $0.requestID ?? "-" })"
        case .noUsage: "noUsage"
        case .skipped(let reason): "skipped: \(reason)"
        }
    }
}

/// Turns the lines of one append-only agent log (a Claude Code transcript, a Codex rollout) into
/// billed requests. A pure value fed one complete line at a time, so it is tested apart from
/// files, and resumable: `state` after the last line consumed is kept with the file's read
/// position, and a later run continues from there on the lines appended since.
///
/// Requirements: `decode` never throws and never traps, whatever the bytes; a line that cannot
/// be read is `.skipped` with a reason and the decoder goes on with the next.
public protocol AgentLogLineDecoder {
    /// A decoder for the file at `path`, resuming after an earlier run (`state` as returned by
    /// that run's decoder; `nil`: the start of the file).
    init(path: String, resumingFrom state: [UInt8]?)
    /// One complete line, without its newline.
    mutating func decode(line: UnsafeBufferPointer<UInt8>) -> AgentLogLine
    /// What a later run resumes with after the lines decoded so far (`nil`: nothing to keep).
    var state: [UInt8]? { get }
}

/// Reads fields of agent log lines: lenient with the shape (unknown fields skipped), strict with
/// the numbers (a count that is not a non-negative integer is an error).
enum LogField {
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads one line as a JSON object, each member handed to `member`. Returns why the line is
    /// skipped (not one JSON object, or a field `member` rejected), or `nil` when it was read.
    static func readLine(
        _ line: UnsafeBufferPointer<UInt8>, _ member: (inout JSONScanner, _ key: UnsafeBufferPointer<UInt8>) throws -> Void
    ) -> String? {
        var scanner = JSONScanner(line, loneSurrogates: .replace)
        do {
            try scanner.readObject { scanner, key, _ in try member(&scanner, key) }
            scanner.skipWhitespace()
            return scanner.isAtEnd ? nil : "text after the JSON object"
        } catch let invalid as Invalid {
            return invalid.description
        } catch {
            return "not a JSON object (\(error))"
        }
    }

    /// A token count: a non-negative integer (JSON numbers such as `12.0` or `1e3` are not).
    static func count(_ scanner: inout JSONScanner, _ name: String) throws -> Int64 {
        switch try scanner.readScalar() {
        case .number(let text):
            var value: Int64 = 0
            for byte in text {
                guard byte &- UInt8(ascii: "0") < 10 else { throw Invalid(description: "\(name) is not a whole non-negative number") }
                let (product, overflowA) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflowB) = product.addingReportingOverflow(Int64(byte &- UInt8(ascii: "0")))
                guard !overflowA, !overflowB else { throw Invalid(description: "\(name) is too large") }
                value = sum
            }
            guard value <= Usage.maximumCount else { throw Invalid(description: "\(name) is too large") }
            return value
        case .null: return 0
        default: throw Invalid(description: "\(name) is not a number")
        }
    }

    /// A string, or `nil` for null or another kind of value (skipped).
    static func string(_ scanner: inout JSONScanner) throws -> String? {
        switch try scanner.readScalar() {
        case .string(let value): return value
        case .objectStart: try scanner.readObject(openingConsumed: true) { scanner, _, _ in try scanner.skipValue() }
        case .arrayStart: try scanner.readArray(openingConsumed: true) { try $0.skipValue() }
        default: break
        }
        return nil
    }

    /// A boolean; anything else is false.
    static func flag(_ scanner: inout JSONScanner) throws -> Bool {
        switch try scanner.readScalar() {
        case .bool(let value): return value
        case .objectStart: try scanner.readObject(openingConsumed: true) { scanner, _, _ in try scanner.skipValue() }
        case .arrayStart: try scanner.readArray(openingConsumed: true) { try $0.skipValue() }
        default: break
        }
        return false
    }

    /// Runs `body` on the members of an object; a value of another kind is skipped.
    static func object(
        _ scanner: inout JSONScanner, _ body: (inout JSONScanner, _ key: UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        switch try scanner.readScalar() {
        case .objectStart: try scanner.readObject(openingConsumed: true) { scanner, key, _ in try body(&scanner, key) }
        case .arrayStart: try scanner.readArray(openingConsumed: true) { try $0.skipValue() }
        default: break
        }
    }

    /// Whether raw key bytes spell `name`.
    @inline(__always) static func key(_ key: UnsafeBufferPointer<UInt8>, is name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount, let base = key.baseAddress else { return false }
        return memcmp(base, name.utf8Start, key.count) == 0
    }
}
