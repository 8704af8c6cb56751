/// Strings: basic (`"..."`, with escapes), literal (`'...'`), and their multi-line forms.
extension DocumentReader {
    /// At `"`: a one-line basic string.
    mutating func readBasicString() throws(TOMLError) -> String {
        let open = here()
        offset += 1
        var start = offset
        // Filled only once an escape shows up: most strings are one slice of the input.
        var unescaped: [UInt8]?
        while true {
            guard offset < bytes.count else {
                throw .expected("'\"' to close the string opened at \(open)", found: "end of file", at: here())
            }
            let byte = bytes[offset]
            if byte == Byte.quote {
                let text: String
                if var buffer = unescaped {
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<offset]))
                    text = String(decoding: buffer, as: UTF8.self)
                } else {
                    text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
                }
                offset += 1
                return text
            }
            if byte == Byte.backslash {
                var buffer = unescaped ?? []
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<offset]))
                try readEscape(into: &buffer)
                unescaped = buffer
                start = offset
                continue
            }
            if byte == Byte.lineFeed || byte == Byte.carriageReturn {
                throw .expected(
                    "'\"' to close the string opened at \(open) before the line ends (\"\"\" starts a multi-line string)",
                    found: describe(offset), at: here())
            }
            if Byte.isControl(byte) {
                throw .invalidText("\(Byte.scalarName(byte)) must be escaped in a string (\\uXXXX)", at: here())
            }
            offset += 1
        }
    }

    /// At `'`: a one-line literal string (no escapes).
    mutating func readLiteralString() throws(TOMLError) -> String {
        let open = here()
        offset += 1
        let start = offset
        while true {
            guard offset < bytes.count else {
                throw .expected("\"'\" to close the string opened at \(open)", found: "end of file", at: here())
            }
            let byte = bytes[offset]
            if byte == Byte.apostrophe {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
                offset += 1
                return text
            }
            if byte == Byte.lineFeed || byte == Byte.carriageReturn {
                throw .expected(
                    "\"'\" to close the string opened at \(open) before the line ends (''' starts a multi-line string)",
                    found: describe(offset), at: here())
            }
            if Byte.isControl(byte) {
                throw .invalidText("\(Byte.scalarName(byte)) is not allowed in a literal string", at: here())
            }
            offset += 1
        }
    }

    /// At `"""` or `'''`: a multi-line string. A line break right after the opening delimiter is
    /// dropped, CRLF is read as LF, and up to two quotes may sit just before the closing three.
    mutating func readMultilineString(literal: Bool) throws(TOMLError) -> String {
        let open = here()
        let delimiter = literal ? Byte.apostrophe : Byte.quote
        offset += 3
        if peek() == Byte.lineFeed {
            passNewline()
        } else if peek() == Byte.carriageReturn {
            try passCarriageReturn()
        }
        var text: [UInt8] = []
        var start = offset
        while true {
            guard offset < bytes.count else {
                let closing = literal ? "'''" : "\"\"\""
                throw .expected("\(closing) to close the multi-line string opened at \(open)", found: "end of file", at: here())
            }
            let byte = bytes[offset]
            switch byte {
            case delimiter:
                var run = 1
                while run < 6, peek(run) == delimiter { run += 1 }
                if run < 3 {
                    offset += run
                    continue
                }
                if run == 6 {
                    throw .unexpected(
                        "too many quotes: at most two may precede the three that close a multi-line string", at: here())
                }
                text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<offset]))
                text.append(contentsOf: repeatElement(delimiter, count: run - 3))
                offset += run
                return String(decoding: text, as: UTF8.self)
            case Byte.backslash where !literal:
                text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<offset]))
                if let next = peek(1), next == Byte.space || next == Byte.tab || next == Byte.lineFeed || next == Byte.carriageReturn {
                    try skipLineEndingBackslash()
                } else {
                    try readEscape(into: &text)
                }
                start = offset
            case Byte.lineFeed:
                passNewline()
            case Byte.carriageReturn:
                text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<offset]))
                try passCarriageReturn()
                text.append(Byte.lineFeed)
                start = offset
            default:
                if Byte.isControl(byte) {
                    throw .invalidText(
                        "\(Byte.scalarName(byte)) \(literal ? "is not allowed in a literal string" : "must be escaped in a string (\\uXXXX)")",
                        at: here())
                }
                offset += 1
            }
        }
    }

    /// At a `\` followed by whitespace: it must end the line; the line break and all whitespace
    /// up to the next visible character are dropped.
    private mutating func skipLineEndingBackslash() throws(TOMLError) {
        let backslash = here()
        offset += 1
        skipSpaces()
        switch peek() {
        case Byte.lineFeed?: passNewline()
        case Byte.carriageReturn?: try passCarriageReturn()
        case nil: throw .expected("\"\"\" to close the multi-line string", found: "end of file", at: here())
        default:
            throw .expected(
                "a line break after the '\\' at \(backslash) (only spaces may follow a line-ending backslash)",
                found: describe(offset), at: here())
        }
        while let byte = peek() {
            switch byte {
            case Byte.space, Byte.tab: offset += 1
            case Byte.lineFeed: passNewline()
            case Byte.carriageReturn: try passCarriageReturn()
            default: return
            }
        }
    }

    /// At `\` in a basic string: appends the escaped character's UTF-8.
    mutating func readEscape(into text: inout [UInt8]) throws(TOMLError) {
        let escape = here()
        offset += 1
        guard let byte = peek() else {
            throw .expected("an escape after '\\'", found: "end of file", at: here())
        }
        offset += 1
        switch byte {
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "r"): text.append(0x0D)
        case Byte.quote: text.append(Byte.quote)
        case Byte.backslash: text.append(Byte.backslash)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            var value: UInt32 = 0
            for _ in 0..<count {
                guard let digit = peek().flatMap(Self.hexValue) else {
                    throw .expected(
                        "\(count) hexadecimal digits after \\\(byte == UInt8(ascii: "u") ? "u" : "U")",
                        found: describe(offset), at: here())
                }
                value = value << 4 | UInt32(digit)
                offset += 1
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw .outOfRange("\\\(byte == UInt8(ascii: "u") ? "u" : "U") escape of a surrogate or a value above U+10FFFF", at: escape)
            }
            Self.appendUTF8(scalar, to: &text)
        default:
            offset -= 1
            throw .expected(
                "an escape (\\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX) after '\\' at \(escape)",
                found: describe(offset), at: here())
        }
    }

    static func appendUTF8(_ scalar: Unicode.Scalar, to text: inout [UInt8]) {
        let value = scalar.value
        switch value {
        case ..<0x80:
            text.append(UInt8(value))
        case ..<0x800:
            text.append(UInt8(0xC0 | value >> 6))
            text.append(UInt8(0x80 | value & 0x3F))
        case ..<0x1_0000:
            text.append(UInt8(0xE0 | value >> 12))
            text.append(UInt8(0x80 | value >> 6 & 0x3F))
            text.append(UInt8(0x80 | value & 0x3F))
        default:
            text.append(UInt8(0xF0 | value >> 18))
            text.append(UInt8(0x80 | value >> 12 & 0x3F))
            text.append(UInt8(0x80 | value >> 6 & 0x3F))
            text.append(UInt8(0x80 | value & 0x3F))
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        if Byte.isDigit(byte) { return byte - 0x30 }
        let lower = byte | 0x20
        if lower >= UInt8(ascii: "a"), lower <= UInt8(ascii: "f") { return lower - UInt8(ascii: "a") + 10 }
        return nil
    }
}
