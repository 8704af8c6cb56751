/// Reads TOML 1.0.0 documents into `TOMLTable`s, with the position of every key, table and value.
///
/// It works on UTF-8 bytes, rejects everything the specification rejects (invalid UTF-8,
/// control characters, a CR without LF, keys or tables defined twice, out-of-range numbers and
/// dates...) with a `TOMLError` that says where and what was expected, and never traps: nesting
/// is bounded by `maximumDepth`, so no input can exhaust the stack.
///
/// ```swift
/// let root = try TOMLParser.parse("[[budgets]]\nlimit_usd = 10.50\n")
/// let budget = root["budgets"]?.array?.first?.value.table
/// budget?["limit_usd"]?.float?.text    // "10.50", exactly as written
/// ```
///
/// Leniencies beyond the spec: a UTF-8 byte order mark at the very start is skipped.
/// A CRLF inside a multi-line string is read as LF (the spec lets parsers normalize newlines).
public enum TOMLParser {
    /// How deeply tables and arrays may nest (the root table is level 0): deeper documents are
    /// rejected instead of risking the stack.
    public static let maximumDepth = 128

    /// Parses a document given as text.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var text = text
        let result = text.withUTF8 { bytes in Result { () throws(TOMLError) in try parse(bytes) } }
        return try result.get()
    }

    /// Parses a document given as bytes; they must be UTF-8.
    public static func parse(_ bytes: [UInt8]) throws(TOMLError) -> TOMLTable {
        let result = bytes.withUnsafeBufferPointer { bytes in Result { () throws(TOMLError) in try parse(bytes) } }
        return try result.get()
    }

    /// Parses a document given as bytes; they must be UTF-8.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(TOMLError) -> TOMLTable {
        var reader = DocumentReader(bytes: bytes)
        return try reader.readDocument()
    }
}

/// The state of one parse: the cursor, the line it is on, and the tree built so far.
struct DocumentReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0
    var line = 1
    var lineStart = 0
    /// The last column computed on the current line, so positions cost O(1) amortized.
    private var columnCacheOffset = 0
    private var columnCacheColumn = 1

    let root: TableBuilder
    /// The table that `key = value` lines go into: the last header's.
    var current: TableBuilder
    var currentPath: [String] = []
    /// Counts headers: dotted keys may only extend tables they created in the same section.
    var section = 0
    /// Each inline table gets its own (negative) section number.
    var nextInlineSection = -1

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        root = TableBuilder(origin: .root, position: TOMLPosition(line: 1, column: 1), depth: 0)
        current = root
    }

    mutating func readDocument() throws(TOMLError) -> TOMLTable {
        if let bad = UTF8Check.firstInvalidOffset(in: bytes) {
            throw .invalidText(
                "invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true))): a TOML file must be UTF-8",
                at: UTF8Check.position(of: bad, in: bytes))
        }
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            offset = 3
            lineStart = 3
            columnCacheOffset = 3
        }
        while true {
            skipSpaces()
            guard let byte = peek() else { break }
            switch byte {
            case Byte.hash, Byte.lineFeed, Byte.carriageReturn:
                try endOfLine(after: "a comment")
            case Byte.openBracket:
                let isArray = peek(1) == Byte.openBracket
                try readHeader()
                try endOfLine(after: isArray ? "the [[...]] header" : "the table header")
            default:
                guard Byte.startsKey(byte) else {
                    throw .expected("a key, a [table] header or a comment", found: describe(offset), at: here())
                }
                try readKeyValue()
                try endOfLine(after: "the value")
            }
        }
        return root.freeze()
    }

    // MARK: - Cursor

    @inline(__always) func peek(_ ahead: Int = 0) -> UInt8? {
        let index = offset + ahead
        return index < bytes.count ? bytes[index] : nil
    }

    /// The position of `target`, which must be on the current line.
    mutating func position(at target: Int) -> TOMLPosition {
        if target < columnCacheOffset || columnCacheOffset < lineStart {
            columnCacheOffset = lineStart
            columnCacheColumn = 1
        }
        var column = columnCacheColumn
        var index = columnCacheOffset
        while index < target {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        columnCacheOffset = index
        columnCacheColumn = column
        return TOMLPosition(line: line, column: column)
    }

    mutating func here() -> TOMLPosition { position(at: offset) }

    mutating func skipSpaces() {
        while offset < bytes.count, bytes[offset] == Byte.space || bytes[offset] == Byte.tab { offset += 1 }
    }

    /// Passes a LF or CRLF at the cursor (the caller checked which), starting a new line.
    mutating func passNewline() {
        offset += bytes[offset] == Byte.carriageReturn ? 2 : 1
        line += 1
        lineStart = offset
        columnCacheOffset = offset
        columnCacheColumn = 1
    }

    /// At a CR: passes CRLF, or throws for a CR on its own.
    mutating func passCarriageReturn() throws(TOMLError) {
        guard peek(1) == Byte.lineFeed else {
            throw .invalidText("a carriage return (U+000D) must be followed by a line feed", at: here())
        }
        passNewline()
    }

    /// Skips spaces and an optional comment, then passes the end of the line (or of the file).
    mutating func endOfLine(after what: String) throws(TOMLError) {
        skipSpaces()
        if peek() == Byte.hash { try skipComment() }
        guard let byte = peek() else { return }
        switch byte {
        case Byte.lineFeed: passNewline()
        case Byte.carriageReturn: try passCarriageReturn()
        default: throw .expected("end of line after \(what)", found: describe(offset), at: here())
        }
    }

    /// At `#`: moves to the end of the comment's line (not past it).
    mutating func skipComment() throws(TOMLError) {
        offset += 1
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == Byte.lineFeed { return }
            if byte == Byte.carriageReturn {
                if peek(1) == Byte.lineFeed { return }
                throw .invalidText("a carriage return (U+000D) must be followed by a line feed", at: here())
            }
            if Byte.isControl(byte) {
                throw .invalidText("\(Byte.scalarName(byte)) is not allowed in a comment", at: here())
            }
            offset += 1
        }
    }

    /// What is at `index`, for "expected X, found Y": `'>'`, `'tru'`, `end of line`...
    func describe(_ index: Int) -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if byte == Byte.lineFeed || (byte == Byte.carriageReturn && index + 1 < bytes.count && bytes[index + 1] == Byte.lineFeed) {
            return "end of line"
        }
        if Byte.isControl(byte) || byte == Byte.carriageReturn { return Byte.scalarName(byte) }
        if Byte.isBareKey(byte) {
            var end = index
            while end < bytes.count, end - index < 16, Byte.isBareKey(bytes[end]) { end += 1 }
            return "'" + String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self) + "'"
        }
        let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
        let end = min(index + length, bytes.count)
        return "'" + String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self) + "'"
    }

    // MARK: - Keys

    /// A key (`a`, `"a b"`, `a.'b'.c`), each part with its position; skips spaces after it.
    mutating func readKey(_ what: String) throws(TOMLError) -> [(name: String, position: TOMLPosition)] {
        var parts: [(name: String, position: TOMLPosition)] = []
        while true {
            let position = here()
            parts.append((try readKeyPart(what), position))
            skipSpaces()
            guard peek() == Byte.dot else { return parts }
            offset += 1
            skipSpaces()
        }
    }

    private mutating func readKeyPart(_ what: String) throws(TOMLError) -> String {
        guard let byte = peek() else { throw .expected(what, found: "end of file", at: here()) }
        if byte == Byte.quote { return try readBasicString() }
        if byte == Byte.apostrophe { return try readLiteralString() }
        guard Byte.isBareKey(byte) else { throw .expected(what, found: describe(offset), at: here()) }
        let start = offset
        while offset < bytes.count, Byte.isBareKey(bytes[offset]) { offset += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }

    /// `a.b."c d"` as people would write it back, for messages.
    static func display(_ path: some Sequence<String>) -> String {
        path.map { part in
            if !part.isEmpty, part.utf8.allSatisfy(Byte.isBareKey) { return part }
            var quoted = "\""
            for character in part.unicodeScalars {
                switch character {
                case "\"": quoted += "\\\""
                case "\\": quoted += "\\\\"
                default: quoted.unicodeScalars.append(character)
                }
            }
            return quoted + "\""
        }.joined(separator: ".")
    }

    // MARK: - Statements

    private mutating func readKeyValue() throws(TOMLError) {
        let key = try readKey("a key")
        guard peek() == Byte.equals else {
            throw .expected("'=' after the key \(Self.display(key.map(\.name)))", found: describe(offset), at: here())
        }
        offset += 1
        skipSpaces()
        let depth = current.depth + key.count
        guard depth <= TOMLParser.maximumDepth else { throw .tooDeep(at: key[key.count - 1].position) }
        let valuePosition = here()
        let value = try readValue(depth: depth)
        try insert(key, value, at: valuePosition, into: current, section: section, path: currentPath)
    }

    /// Adds `key = value` to `table` under the spec's rules: a dotted key may create tables or
    /// extend those it created in this same section, never a table defined otherwise, and no key
    /// is defined twice.
    mutating func insert(
        _ key: [(name: String, position: TOMLPosition)], _ value: TOMLValue, at valuePosition: TOMLPosition,
        into start: TableBuilder, section: Int, path: [String]
    ) throws(TOMLError) {
        var table = start
        var path = path
        for part in key.dropLast() {
            path.append(part.name)
            switch table.slot(part.name) {
            case nil:
                let child = TableBuilder(origin: .dotted(section: section), position: part.position, depth: table.depth + 1)
                table.add(part.name, at: part.position, .table(child))
                table = child
            case .table(let child):
                switch child.origin {
                case .implicit:
                    child.origin = .dotted(section: section)
                case .dotted(let owner) where owner == section:
                    break
                case .dotted:
                    throw .redefinition(
                        "table \(Self.display(path)) was created by dotted keys at \(child.position); it cannot be extended from here",
                        at: part.position)
                case .header, .root:
                    throw .redefinition(
                        "table \(Self.display(path)) is defined by its header at \(child.position); dotted keys cannot add to it",
                        at: part.position)
                }
                table = child
            case .arrayOfTables(let array):
                throw .redefinition(
                    "\(Self.display(path)) is an array of tables ([[...]] at \(array.position)); dotted keys cannot add to it",
                    at: part.position)
            case .value(let existing, let position):
                throw .redefinition(
                    "\(Self.display(path)) is already \(existing.typeName) (at \(position)), so dotted keys cannot add to it",
                    at: part.position)
            }
        }
        let last = key[key.count - 1]
        if let first = table.keyPosition(last.name) {
            throw .redefinition(
                "key \(Self.display(path + [last.name])) is defined twice (first at \(first))", at: last.position)
        }
        table.add(last.name, at: last.position, .value(value, valuePosition))
    }

    /// At `[`: a `[table]` or `[[array of tables]]` header; makes its table the current one.
    private mutating func readHeader() throws(TOMLError) {
        let headerPosition = here()
        let isArray = peek(1) == Byte.openBracket
        offset += isArray ? 2 : 1
        skipSpaces()
        let key = try readKey(isArray ? "a key in the [[...]] header" : "a key in the table header")
        if isArray {
            guard peek() == Byte.closeBracket, peek(1) == Byte.closeBracket else {
                throw .expected("']]' to close the [[...]] header", found: describe(offset), at: here())
            }
            offset += 2
        } else {
            guard peek() == Byte.closeBracket else {
                throw .expected("']' to close the table header", found: describe(offset), at: here())
            }
            offset += 1
        }
        section += 1
        current = try defineTable(key, isArray: isArray, at: headerPosition)
        currentPath = key.map(\.name)
    }

    private mutating func defineTable(
        _ key: [(name: String, position: TOMLPosition)], isArray: Bool, at headerPosition: TOMLPosition
    ) throws(TOMLError) -> TableBuilder {
        let written = isArray ? "[[\(Self.display(key.map(\.name)))]]" : "[\(Self.display(key.map(\.name)))]"
        var table = root
        var path: [String] = []
        for part in key.dropLast() {
            path.append(part.name)
            switch table.slot(part.name) {
            case nil:
                guard table.depth < TOMLParser.maximumDepth else { throw .tooDeep(at: part.position) }
                let child = TableBuilder(origin: .implicit, position: headerPosition, depth: table.depth + 1)
                table.add(part.name, at: part.position, .table(child))
                table = child
            case .table(let child):
                table = child
            case .arrayOfTables(let array):
                guard let last = array.elements.last else { throw .redefinition("empty array of tables", at: part.position) }
                table = last
            case .value(let existing, let position):
                throw .redefinition(
                    "cannot define \(written): \(Self.display(path)) is already \(existing.typeName) (at \(position))",
                    at: part.position)
            }
        }
        let last = key[key.count - 1]
        path.append(last.name)
        let existing = table.slot(last.name)
        if isArray {
            let array: ArrayOfTablesBuilder
            switch existing {
            case nil:
                guard table.depth + 2 <= TOMLParser.maximumDepth else { throw .tooDeep(at: last.position) }
                array = ArrayOfTablesBuilder(position: headerPosition)
                table.add(last.name, at: last.position, .arrayOfTables(array))
            case .arrayOfTables(let earlier):
                array = earlier
            case .table(let earlier):
                throw .redefinition(
                    "cannot define \(written): \(Self.display(path)) is already a table (at \(earlier.position))", at: last.position)
            case .value(let value, let position):
                throw .redefinition(
                    "cannot define \(written): \(Self.display(path)) is already \(value.typeName) (at \(position))", at: last.position)
            }
            let element = TableBuilder(origin: .header, position: headerPosition, depth: table.depth + 2)
            array.append(element)
            return element
        }
        switch existing {
        case nil:
            guard table.depth < TOMLParser.maximumDepth else { throw .tooDeep(at: last.position) }
            let child = TableBuilder(origin: .header, position: headerPosition, depth: table.depth + 1)
            table.add(last.name, at: last.position, .table(child))
            return child
        case .table(let earlier):
            switch earlier.origin {
            case .implicit:
                earlier.origin = .header
                earlier.position = headerPosition
                return earlier
            case .dotted:
                throw .redefinition(
                    "table \(written) is already defined by dotted keys at \(earlier.position)", at: last.position)
            case .header, .root:
                throw .redefinition("table \(written) is defined twice (first at \(earlier.position))", at: last.position)
            }
        case .arrayOfTables(let array):
            throw .redefinition(
                "\(Self.display(path)) is an array of tables (first [[...]] at \(array.position)); write [[\(Self.display(path))]] to add an element",
                at: last.position)
        case .value(let value, let position):
            throw .redefinition(
                "cannot define \(written): \(Self.display(path)) is already \(value.typeName) (at \(position))", at: last.position)
        }
    }

    // MARK: - Values

    /// A value whose node sits at `depth` (the root table is at 0).
    mutating func readValue(depth: Int) throws(TOMLError) -> TOMLValue {
        guard let byte = peek() else {
            throw .expected("a value", found: "end of file", at: here())
        }
        switch byte {
        case Byte.quote:
            return .string(peek(1) == Byte.quote && peek(2) == Byte.quote ? try readMultilineString(literal: false) : try readBasicString())
        case Byte.apostrophe:
            return .string(
                peek(1) == Byte.apostrophe && peek(2) == Byte.apostrophe ? try readMultilineString(literal: true) : try readLiteralString())
        case UInt8(ascii: "t"):
            try expectWord("true")
            return .boolean(true)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return .boolean(false)
        case Byte.openBracket:
            return try readArray(depth: depth)
        case Byte.openBrace:
            return try readInlineTable(depth: depth)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            if digits(at: offset, count: 4), peek(4) == UInt8(ascii: "-") { return try readDateOrDateTime() }
            if digits(at: offset, count: 2), peek(2) == Byte.colon { return .time(try readTime()) }
            return try readNumber()
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "i"), UInt8(ascii: "n"):
            return try readNumber()
        default:
            throw .expected(
                "a value (a string, number, boolean, date or time, array or inline table)", found: describe(offset), at: here())
        }
    }

    /// At a letter: the exact word (`true`, `false`, `inf`, `nan`) or an error.
    mutating func expectWord(_ word: StaticString) throws(TOMLError) {
        let count = word.utf8CodeUnitCount
        let matches = offset + count <= bytes.count
            && (0..<count).allSatisfy { bytes[offset + $0] == word.utf8Start[$0] }
        guard matches else {
            throw .expected(
                "a value (a string, number, boolean, date or time, array or inline table)", found: describe(offset), at: here())
        }
        offset += count
    }

    func digits(at index: Int, count: Int) -> Bool {
        guard index + count <= bytes.count else { return false }
        for position in index..<(index + count) where !Byte.isDigit(bytes[position]) { return false }
        return true
    }

    private mutating func readArray(depth: Int) throws(TOMLError) -> TOMLValue {
        let open = here()
        offset += 1
        var elements: [TOMLArray.Element] = []
        try skipArraySpace()
        if peek() == Byte.closeBracket {
            offset += 1
            return .array(TOMLArray(elements: [], position: open, isArrayOfTables: false))
        }
        while true {
            guard depth < TOMLParser.maximumDepth else { throw .tooDeep(at: here()) }
            let position = here()
            elements.append(TOMLArray.Element(value: try readValue(depth: depth + 1), position: position))
            try skipArraySpace()
            switch peek() {
            case Byte.closeBracket?:
                offset += 1
                return .array(TOMLArray(elements: elements, position: open, isArrayOfTables: false))
            case Byte.comma?:
                offset += 1
                try skipArraySpace()
                if peek() == Byte.closeBracket {
                    offset += 1
                    return .array(TOMLArray(elements: elements, position: open, isArrayOfTables: false))
                }
            default:
                throw .expected("',' or ']' in the array opened at \(open)", found: describe(offset), at: here())
            }
        }
    }

    /// Spaces, line breaks and comments, which arrays allow between their elements.
    private mutating func skipArraySpace() throws(TOMLError) {
        while let byte = peek() {
            switch byte {
            case Byte.space, Byte.tab: offset += 1
            case Byte.lineFeed: passNewline()
            case Byte.carriageReturn: try passCarriageReturn()
            case Byte.hash: try skipComment()
            default: return
            }
        }
    }

    private mutating func readInlineTable(depth: Int) throws(TOMLError) -> TOMLValue {
        let open = here()
        offset += 1
        let table = TableBuilder(origin: .header, position: open, depth: depth)
        let inlineSection = nextInlineSection
        nextInlineSection -= 1
        skipSpaces()
        if peek() == Byte.closeBrace {
            offset += 1
            return .table(table.freeze())
        }
        while true {
            let key = try readKey("a key in the inline table opened at \(open)")
            guard peek() == Byte.equals else {
                throw .expected("'=' after the key \(Self.display(key.map(\.name)))", found: describe(offset), at: here())
            }
            offset += 1
            skipSpaces()
            guard depth + key.count <= TOMLParser.maximumDepth else { throw .tooDeep(at: key[key.count - 1].position) }
            let valuePosition = here()
            let value = try readValue(depth: depth + key.count)
            try insert(key, value, at: valuePosition, into: table, section: inlineSection, path: [])
            skipSpaces()
            switch peek() {
            case Byte.closeBrace?:
                offset += 1
                return .table(table.freeze())
            case Byte.comma?:
                offset += 1
                skipSpaces()
                if peek() == Byte.closeBrace {
                    throw .unexpected("an inline table cannot end with a comma (TOML 1.0)", at: here())
                }
            default:
                throw .expected(
                    "',' or '}' in the inline table opened at \(open) (inline tables stay on one line)",
                    found: describe(offset), at: here())
            }
        }
    }
}

/// Byte constants and classes of the grammar.
enum Byte {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space = UInt8(ascii: " ")
    static let quote = UInt8(ascii: "\"")
    static let apostrophe = UInt8(ascii: "'")
    static let hash = UInt8(ascii: "#")
    static let comma = UInt8(ascii: ",")
    static let dot = UInt8(ascii: ".")
    static let colon = UInt8(ascii: ":")
    static let equals = UInt8(ascii: "=")
    static let backslash = UInt8(ascii: "\\")
    static let underscore = UInt8(ascii: "_")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    @inline(__always) static func isBareKey(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20) &- 0x61 < 26 || byte == underscore || byte == UInt8(ascii: "-")
    }

    static func startsKey(_ byte: UInt8) -> Bool { isBareKey(byte) || byte == quote || byte == apostrophe }

    /// A control character TOML forbids outside escapes: U+0000-U+001F but tab, and U+007F.
    /// (Callers handle LF and CR first where line breaks are allowed.)
    @inline(__always) static func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != tab) || byte == 0x7F }

    static func scalarName(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "control character U+" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
