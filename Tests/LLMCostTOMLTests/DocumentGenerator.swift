import LLMCostCore

/// Random TOML documents from a seed: mostly valid ones that use every part of the syntax in
/// varied spellings (the differential test checks that both parsers read them the same), and
/// mutations of any text (checking that both reject the same documents, and that nothing crashes).
struct DocumentGenerator {
    private var random: SplitMix64
    private var newline = "\n"

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    // MARK: - Random helpers

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    // MARK: - Documents

    /// A document: top-level pairs, then tables and arrays of tables, some nested.
    mutating func document() -> String {
        newline = chance(15) ? "\r\n" : "\n"
        var out = chance(10) ? "# generated" + newline : ""
        // The keys each table holds so far (across all elements of an array of tables), so that
        // no key, sub-table or header is defined twice.
        var keys: [[String]: Set<String>] = [:]
        for _ in 0..<int(0...4) { out += keyValueLine(used: &keys[[], default: []], depth: 1) }
        var tables: [[String]] = []
        for _ in 0..<int(0...5) {
            let parent = tables.last.flatMap { chance(35) ? $0 : nil } ?? []
            let path = parent + [uniqueKey(avoiding: &keys[parent, default: []])]
            let isArray = chance(30)
            let repeats = isArray ? int(1...3) : 1
            for _ in 0..<repeats {
                let name = header(path)
                out += (chance(20) ? newline : "") + (isArray ? "[[\(name)]]" : "[\(name)]") + trailer()
                for _ in 0..<int(0...4) { out += keyValueLine(used: &keys[path, default: []], depth: path.count + 1) }
            }
            tables.append(path)
        }
        return out
    }

    private mutating func header(_ path: [String]) -> String {
        let separator = chance(20) ? " . " : "."
        var parts: [String] = []
        for part in path { parts.append(keyText(part)) }
        return (chance(15) ? " " : "") + parts.joined(separator: separator) + (chance(15) ? "\t" : "")
    }

    private mutating func trailer() -> String {
        (chance(20) ? "  # comment \u{e9}\t#" : "") + newline
    }

    private mutating func keyValueLine(used: inout Set<String>, depth: Int) -> String {
        var key = keyText(uniqueKey(avoiding: &used))
        if chance(20) {
            // A dotted key: its first part is new, so it creates its own table.
            key += (chance(30) ? " . " : ".") + keyText(uniqueKey(avoiding: &used))
        }
        let equals = pick([" = ", "=", "\t=\t", "  =  "])
        return (chance(10) ? "  " : "") + key + equals + value(depth: depth + 1) + trailer()
    }

    private mutating func uniqueKey(avoiding used: inout Set<String>) -> String {
        var key: String
        repeat {
            key = pick(["name", "id", "a", "b", "key", "x1", "bare-key", "under_score", "42", "limit_usd", "price", "model", "tier", "é", "key with space", "dotted.inside", "日本", "q\"uote", "back\\slash", "", "1979-05-27", "true", "inf"])
            if chance(30) { key += String(int(0...99)) }
        } while used.contains(key)
        used.insert(key)
        return key
    }

    /// `name` spelled as a bare, basic or literal key, whichever it allows.
    private mutating func keyText(_ name: String) -> String {
        let bare = !name.isEmpty && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        if bare, chance(80) { return name }
        if !name.contains("'"), chance(30) { return "'" + name + "'" }
        return basicString(name)
    }

    private mutating func basicString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += pick(["\\n", "\\u000A", "\\U0000000a"])
            case "\t": out += pick(["\\t", "\t"])
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}": out += "\\u00" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16, uppercase: chance(50))
            default:
                if scalar.value > 0x7F, chance(25) {
                    let hex = String(scalar.value, radix: 16)
                    out += scalar.value > 0xFFFF
                        ? "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
                        : "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    // MARK: - Values

    mutating func value(depth: Int) -> String {
        let kinds = depth < 6 ? 12 : 9
        switch int(0...(kinds - 1)) {
        case 0, 1: return stringValue()
        case 2: return integerValue()
        case 3: return floatValue()
        case 4: return chance(50) ? "true" : "false"
        case 5, 6: return dateTimeValue()
        case 7: return timeValue()
        case 8: return stringValue()
        case 9, 10: return arrayValue(depth: depth)
        default: return inlineTable(depth: depth)
        }
    }

    private mutating func text() -> String {
        var out = ""
        for _ in 0..<int(0...12) {
            out += pick(["a", "Z", " ", "\t", "é", "日本", "😀", "\"", "'", "\\", "#", "=", "[", "]", "{", ",", "\n", "\u{7F}", "\u{1}", "\u{8}", "\u{C}", "\r", "\u{200B}", "x y", "$", "%", "\u{10FFFF}", "\u{FEFF}"])
        }
        return out
    }

    private mutating func stringValue() -> String {
        let content = text()
        switch int(0...4) {
        case 0, 1:
            return basicString(content)
        case 2:
            let literal = String(content.unicodeScalars.filter { $0 != "'" && ($0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F)) }.map(Character.init))
            return "'" + literal + "'"
        case 3:
            // Multi-line basic: raw newlines, a line-ending backslash, quotes short of three (a
            // letter after each run of quotes keeps two runs from joining into a closing one).
            var body = ""
            for _ in 0..<int(1...4) {
                body += pick(["line", "\"q", "\"\"q", "é", "\\t", "\\\\", " \\" + newline + "   ", "\t", newline, "\\\"\"\"q"])
            }
            return "\"\"\"" + (chance(50) ? newline : "") + body + pick(["", "\"", "\"\""]) + "\"\"\""
        default:
            var body = ""
            for _ in 0..<int(1...4) { body += pick(["raw \\n", "'q", "''q", "C:\\path", newline, "\t", "\""]) }
            return "'''" + (chance(50) ? newline : "") + body + pick(["", "'", "''"]) + "'''"
        }
    }

    private mutating func digits(_ count: Int, underscores: Bool) -> String {
        var out = String(int(1...9))
        for _ in 1..<max(count, 1) {
            if underscores, chance(20) { out += "_" }
            out += String(int(0...9))
        }
        return out
    }

    private mutating func integerValue() -> String {
        switch int(0...5) {
        case 0: return pick(["0", "+0", "-0", "9223372036854775807", "-9223372036854775808", "1_000"])
        case 1: return "0x" + String(UInt64.random(in: 0...UInt64(Int64.max), using: &random) >> UInt64(int(0...60)), radix: 16, uppercase: chance(50))
        case 2: return "0o" + String(int(0...100_000), radix: 8)
        case 3: return "0b" + String(int(0...1000), radix: 2)
        default: return pick(["", "+", "-"]) + digits(int(1...18), underscores: chance(30))
        }
    }

    private mutating func floatValue() -> String {
        if chance(10) { return pick(["", "+", "-"]) + pick(["inf", "nan"]) }
        var out = pick(["", "+", "-"]) + (chance(20) ? "0" : digits(int(1...6), underscores: chance(20)))
        let fraction = chance(70)
        if fraction { out += "." + String(int(0...9)) + (chance(50) ? digits(int(1...8), underscores: chance(20)) : "") }
        if !fraction || chance(30) {
            out += pick(["e", "E"]) + pick(["", "+", "-"]) + (chance(20) ? "0" : "") + String(int(0...30))
        }
        return out
    }

    private mutating func dateText() -> String {
        let year = int(1...9999)
        let month = int(1...12)
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = month == 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].contains(month) ? 30 : 31
        let day = chance(10) ? days : int(1...days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    private mutating func timeValue() -> String {
        var out = pad(int(0...23), 2) + ":" + pad(int(0...59), 2) + ":" + pad(int(0...59), 2)
        if chance(40) { out += "." + (0..<int(1...9)).map { _ in String(int(0...9)) }.joined() }
        return out
    }

    private mutating func dateTimeValue() -> String {
        let date = dateText()
        switch int(0...3) {
        case 0: return date
        case 1: return date + pick(["T", "t", " "]) + timeValue()
        default:
            let zone = chance(40) ? pick(["Z", "z"]) : pick(["+", "-"]) + pad(int(0...23), 2) + ":" + pad(int(0...59), 2)
            return date + pick(["T", "t", " "]) + timeValue() + zone
        }
    }

    private mutating func arrayValue(depth: Int) -> String {
        let count = int(0...4)
        let multiline = chance(30)
        var out = "["
        for index in 0..<count {
            if multiline { out += newline + "  " + (chance(30) ? "# element" + newline + "  " : "") }
            out += value(depth: depth + 1)
            if index < count - 1 || chance(20) { out += pick([",", ", ", " ,"]) }
        }
        if multiline { out += newline }
        return out + "]"
    }

    private mutating func inlineTable(depth: Int) -> String {
        var used: Set<String> = []
        var parts: [String] = []
        for _ in 0..<int(0...3) {
            var key = keyText(uniqueKey(avoiding: &used))
            if chance(20) { key += "." + keyText(uniqueKey(avoiding: &used)) }
            parts.append(key + pick([" = ", "="]) + value(depth: depth + 1))
        }
        return parts.isEmpty ? pick(["{}", "{ }"]) : "{ " + parts.joined(separator: pick([", ", ","])) + " }"
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    // MARK: - Mutations

    private static let fragments: [[UInt8]] = [
        "[", "]", "[[", "]]", "{", "}", "=", ",", ".", "\"", "'", "\"\"\"", "'''", "#", "\n", "\r", "\r\n", "\t", " ",
        "\\", "\\u", "\\U0001F600", "0", "1", "e", "E", "_", "-", "+", ":", "T", "Z", ">", "inf", "nan", "true", "0x",
        "1979-05-27", "07:32:00", "a", "a.b", "[a]", "[[a]]", "x = 1", "= 1", "\u{0}", "\u{7F}", "é",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xEF, 0xBB, 0xBF]]

    /// `bytes` with 1 to 3 random edits: a byte or fragment inserted, replaced or deleted, a
    /// line duplicated or dropped, the end cut off.
    mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<int(1...3) {
            let at = bytes.isEmpty ? 0 : int(0...bytes.count)
            switch int(0...7) {
            case 0, 1:
                bytes.insert(contentsOf: pick(Self.fragments), at: at)
            case 2 where at < bytes.count:
                bytes.replaceSubrange(at..<(at + 1), with: pick(Self.fragments))
            case 3 where at < bytes.count:
                bytes.removeSubrange(at..<min(bytes.count, at + int(1...4)))
            case 4, 5:
                let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                let line = int(0...(lines.count - 1))
                var edited = lines
                if chance(50) { edited.insert(lines[line], at: int(0...lines.count)) } else { edited.remove(at: line) }
                bytes = Array(edited.joined(separator: [0x0A]))
            case 6 where at < bytes.count:
                bytes[at] = UInt8(truncatingIfNeeded: int(0...255))
            default:
                bytes.removeSubrange(at...)
            }
        }
        return bytes
    }
}
