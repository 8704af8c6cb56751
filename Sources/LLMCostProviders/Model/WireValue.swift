import LLMCostCore
/// A parsed JSON value of a wire event, from our own small reader (`WireValueReader`).
///
/// Stream events are small and many; Foundation's `JSONSerialization` and `JSONDecoder` spend
/// several microseconds per event on Linux in bridging and `Codable` machinery, more than
/// the network. This reader builds plain Swift values straight from the bytes.
enum WireValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([WireValue])
    case object(WireObject)

    subscript(key: String) -> WireValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// An integer count; accepts a whole-valued double (some servers write `12.0`).
    var int64: Int64? {
        switch self {
        case .int(let n): return n
        case .double(let d) where d.rounded() == d && abs(d) < 9e18: return Int64(d)
        default: return nil
        }
    }

    /// A token or request count: a whole number from 0 to `Usage.maximumCount`. A negative or
    /// absurdly large number is no count, like a string or a fraction: usage readers skip it,
    /// so no count they report is negative and no sum of counts overflows.
    var count: Int64? {
        guard let value = int64, (0...Usage.maximumCount).contains(value) else { return nil }
        return value
    }

    /// A string with something in it: an error's empty message says nothing.
    var nonEmptyString: String? {
        guard case .string(let s) = self, !s.isEmpty else { return nil }
        return s
    }

    var array: [WireValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}

/// A JSON object's members in wire order. Events have a handful of keys, so a linear scan
/// beats hashing.
struct WireObject: Sendable, Equatable {
    var keys: [String] = []
    var values: [WireValue] = []

    subscript(key: String) -> WireValue? {
        for index in keys.indices where keys[index] == key { return values[index] }
        return nil
    }
}

/// Reads one JSON document (RFC 8259) into a `WireValue` tree, on the project's one byte-level
/// JSON reader (`JSONScanner`). Lone surrogates in `\\u` escapes become U+FFFD rather than
/// failing the stream.
enum WireValueReader {
    struct SyntaxError: Error {
        /// 0-based byte offset.
        var offset: Int
        var reason: String
    }

    /// Nesting beyond this is refused (a hostile server must not overflow the stack).
    static let maxDepth = JSONScanner.maxDepth

    /// Parses `text` as one JSON value (surrounding whitespace allowed).
    static func parse(_ text: String) throws(SyntaxError) -> WireValue {
        var text = text
        let result: Result<WireValue, SyntaxError> = text.withUTF8 { buffer in
            var scanner = JSONScanner(buffer, loneSurrogates: .replace)
            do {
                let value = try readValue(&scanner, depth: 0)
                scanner.skipWhitespace()
                guard scanner.isAtEnd else { throw scanner.failure("unexpected text after the value") }
                return .success(value)
            } catch let failure as JSONScanner.Failure {
                return .failure(SyntaxError(offset: failure.column - 1, reason: failure.reason))
            } catch {
                return .failure(SyntaxError(offset: scanner.index, reason: "\(error)"))
            }
        }
        return try result.get()
    }

    private static func readValue(_ scanner: inout JSONScanner, depth: Int) throws -> WireValue {
        guard depth < maxDepth else { throw scanner.failure("nested too deeply") }
        switch try scanner.readScalar() {
        case .string(let text): return .string(text)
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .number(let digits):
            let text = String(decoding: digits, as: UTF8.self)
            if let integer = Int64(text) { return .int(integer) }
            guard let value = Double(text) else { throw scanner.failure("number out of range") }
            return .double(value)
        case .objectStart:
            var object = WireObject()
            try scanner.readObject(openingConsumed: true) { scanner, key, _ in
                object.keys.append(String(decoding: key, as: UTF8.self))
                object.values.append(try readValue(&scanner, depth: depth + 1))
            }
            return .object(object)
        case .arrayStart:
            var array: [WireValue] = []
            try scanner.readArray(openingConsumed: true) { array.append(try readValue(&$0, depth: depth + 1)) }
            return .array(array)
        }
    }
}
