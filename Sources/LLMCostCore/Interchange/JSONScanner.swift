/// The project's one JSON reader (RFC 8259), over raw bytes: the JSONL interchange format reads
/// flat records with it, and the providers build stream-event trees on it.
///
/// It never builds a tree itself and never goes through `Double`: a number is handed over as its
/// exact text (checked against the JSON grammar), so `"cost_usd": 0.1` can stay exactly 0.1.
/// Strings come out decoded; objects and arrays are iterated with callbacks.
public struct JSONScanner: ~Copyable {
    /// What a `\u` escape of half a surrogate pair, alone, becomes.
    public enum LoneSurrogates: Sendable {
        /// An error: records we store must say exactly what they mean.
        case reject
        /// U+FFFD, as browsers and most JSON libraries do: a provider's stream goes on.
        case replace
    }

    /// Where and why the input is not the JSON expected.
    public struct Failure: Error, CustomStringConvertible {
        /// 1-based byte column.
        public var column: Int
        public var reason: String
        public var description: String { "column \(column): \(reason)" }
    }

    /// A scalar value, its text borrowed from the input until the next call.
    public enum Scalar {
        case string(String)
        case number(UnsafeBufferPointer<UInt8>)
        case bool(Bool)
        case null
        /// `{`, consumed: read the members with `readObject(openingConsumed: true)`.
        case objectStart
        /// `[`, consumed: read the elements with `readArray(openingConsumed: true)`.
        case arrayStart
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    public private(set) var index = 0
    /// Holds a string that had escapes, decoded; reused so strings cost no allocation. The
    /// first half is for values, the second for keys, so a key survives reading its value.
    /// Allocated at the first escape: most records and events have none.
    private var scratch = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
    private var scratchCount = 0
    private let loneSurrogates: LoneSurrogates
    /// Nesting `skipValue` follows before it gives up (hostile input must not overflow the stack).
    public static let maxDepth = 256

    /// The value of one hexadecimal digit (`0-9`, `a-f`, `A-F`), for `\\u` escapes; shared by
    /// every JSON reader of the project.
    @inline(__always)
    public static func hexDigitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    public init(_ bytes: UnsafeBufferPointer<UInt8>, loneSurrogates: LoneSurrogates = .reject) {
        self.bytes = bytes
        self.loneSurrogates = loneSurrogates
    }

    deinit { scratch.deallocate() }  // a no-op when never allocated

    public func failure(_ reason: String, at position: Int? = nil) -> Failure {
        Failure(column: (position ?? index) + 1, reason: reason)
    }

    public mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    public var isAtEnd: Bool { index >= bytes.count }

    public mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else {
            throw failure(index < bytes.count ? "expected \(what)" : "unexpected end of line, expected \(what)")
        }
        index += 1
    }

    /// Consumes `byte` if it is next (after whitespace).
    public mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Iterates an object's members: `body` gets each key and must consume its value.
    /// Expects the opening `{` to be next unless `openingConsumed`.
    public mutating func readObject(
        openingConsumed: Bool = false, _ body: (inout JSONScanner, _ key: UnsafeBufferPointer<UInt8>, _ keyStart: Int) throws -> Void
    ) throws {
        if !openingConsumed { try expect(UInt8(ascii: "{"), "'{'") }
        if consume(UInt8(ascii: "}")) { return }
        while true {
            skipWhitespace()
            let keyStart = index
            let key = try readRawString(scratchOffset: max(bytes.count, 1))
            try expect(UInt8(ascii: ":"), "':' after a key")
            try body(&self, key, keyStart)
            if consume(UInt8(ascii: ",")) { continue }
            try expect(UInt8(ascii: "}"), "',' or '}'")
            return
        }
    }

    /// Iterates an array's elements: `body` must consume each one.
    /// Expects the opening `[` to be next unless `openingConsumed`.
    public mutating func readArray(openingConsumed: Bool = false, _ body: (inout JSONScanner) throws -> Void) throws {
        if !openingConsumed { try expect(UInt8(ascii: "["), "'['") }
        if consume(UInt8(ascii: "]")) { return }
        repeat { try body(&self) } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"), "',' or ']'")
    }

    /// Reads the next value as a scalar; an object or array is reported as `.objectStart` /
    /// `.arrayStart` with its bracket consumed, for `readObject` / `readArray(openingConsumed: true)`.
    public mutating func readScalar() throws(Failure) -> Scalar {
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end of line, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return .string(String(decoding: try readRawString(), as: UTF8.self))
        case UInt8(ascii: "{"):
            index += 1
            return .objectStart
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try readNumber())
        case UInt8(ascii: "["):
            index += 1
            return .arrayStart
        default:
            throw failure("expected a value")
        }
    }

    /// Skips any value, arrays and nested objects included.
    public mutating func skipValue(depth: Int = 0) throws {
        guard depth < Self.maxDepth else { throw failure("nested more than \(Self.maxDepth) deep") }
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            try skipString()
            return
        }
        switch try readScalar() {
        case .objectStart: try readObject(openingConsumed: true) { scanner, _, _ in try scanner.skipValue(depth: depth + 1) }
        case .arrayStart: try readArray(openingConsumed: true) { try $0.skipValue(depth: depth + 1) }
        default: break
        }
    }

    /// Skips a string without decoding it: agent logs are mostly long strings (file contents,
    /// tool output) that nobody reads, so this scans eight bytes at a time for the quote, a
    /// backslash or a control character. A string with a `\\u` escape is read the careful way,
    /// so a lone surrogate is treated as `readScalar` treats it.
    private mutating func skipString() throws(Failure) {
        let start = index
        index += 1
        let count = bytes.count
        guard let base = bytes.baseAddress else { throw failure("expected a string") }
        let raw = UnsafeRawPointer(base)
        while true {
            while index + 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                if !Self.mayEndString(word) {
                    index += 8
                    continue
                }
                break
            }
            guard index < count else { throw failure("unexpected end of line, expected a string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return
            }
            if byte < 0x20 { throw failure("control character in a string") }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < count else { throw failure("unexpected end of line, expected a string") }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                    continue
                default:
                    index = start
                    _ = try readRawString()
                    return
                }
            }
            index += 1
        }
    }

    /// Whether one of the eight bytes is a quote, a backslash or below 0x20 (a false "yes"
    /// only sends the scan to the byte loop).
    @inline(__always) private static func mayEndString(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highs != 0 }
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word & highs != 0
        return hasZeroByte(quotes) || hasZeroByte(backslashes) || control
    }

    /// A number, checked against the JSON grammar: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
    private mutating func readNumber() throws(Failure) -> UnsafeBufferPointer<UInt8> {
        let start = index
        func digits() -> Int {
            let first = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index - first
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0 else { throw failure("invalid number: expected a digit", at: index) }
        if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") {
            throw failure("invalid number: leading zero", at: integerStart)
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw failure("invalid number: expected a digit after '.'", at: index) }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw failure("invalid number: expected a digit in the exponent", at: index) }
        }
        return UnsafeBufferPointer(rebasing: bytes[start..<index])
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("expected a value") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw failure("expected a value")
        }
        index += count
    }

    /// Reads a JSON string (quotes included in the input) as UTF-8 bytes, escapes decoded.
    /// Without escapes the bytes are the input's own; with escapes they are the scratch
    /// buffer's, valid until the next string is read.
    private mutating func readRawString(scratchOffset: Int = 0) throws(Failure) -> UnsafeBufferPointer<UInt8> {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw failure(index < bytes.count ? "expected a string" : "unexpected end of line, expected a string")
        }
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure("control character in a string") }
            index += 1
        }
        // Escapes: copy what came before, then decode into the scratch buffer.
        // A decoded string is never longer than the text it came from: values use the first
        // half, keys the second.
        if scratch.baseAddress == nil { scratch = .allocate(capacity: 2 * max(bytes.count, 1)) }
        scratchCount = scratchOffset
        func append(_ byte: UInt8) {
            scratch[scratchCount] = byte
            scratchCount += 1
        }
        for offset in start..<index { append(bytes[offset]) }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return UnsafeBufferPointer(rebasing: scratch[scratchOffset..<scratchCount])
            }
            if byte < 0x20 { throw failure("control character in a string") }
            if byte != UInt8(ascii: "\\") {
                append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): append(escaped)
            case UInt8(ascii: "b"): append(0x08)
            case UInt8(ascii: "f"): append(0x0C)
            case UInt8(ascii: "n"): append(0x0A)
            case UInt8(ascii: "r"): append(0x0D)
            case UInt8(ascii: "t"): append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    let pairFollows = index + 1 < bytes.count && bytes[index] == UInt8(ascii: "\\") && bytes[index + 1] == UInt8(ascii: "u")
                    // Peek at the next escape: when it is not the low half, it is read on its own.
                    let low: UInt32? = pairFollows ? try peekHex4(at: index + 2) : nil
                    if let low, (0xDC00..<0xE000).contains(low) {
                        index += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        guard loneSurrogates == .replace else { throw failure("unpaired surrogate in \\u escape") }
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    guard loneSurrogates == .replace else { throw failure("unpaired surrogate in \\u escape") }
                    scalar = 0xFFFD
                }
                // At most 4 UTF-8 bytes for the 6 to 12 input bytes read: the buffer suffices.
                guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
                UTF8.encode(unicode) { append($0) }
            default:
                throw failure("invalid escape '\\\(Character(Unicode.Scalar(escaped)))'", at: index - 2)
            }
        }
        throw failure("unterminated string")
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        let value = try peekHex4(at: index)
        index += 4
        return value
    }

    private func peekHex4(at position: Int) throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw failure("truncated \\u escape", at: position) }
        var value: UInt32 = 0
        for offset in position..<(position + 4) {
            guard let digit = JSONScanner.hexDigitValue(bytes[offset]) else {
                throw failure("invalid hex digit in \\u escape", at: offset)
            }
            value = value << 4 | digit
        }
        return value
    }
}

/// Writes JSON text into a byte buffer, escaping strings per RFC 8259.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init() { bytes.reserveCapacity(512) }

    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                raw("\\u00")
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func integer(_ value: Int64) { raw(String(value)) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
