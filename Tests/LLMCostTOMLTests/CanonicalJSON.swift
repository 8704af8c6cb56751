import LLMCostTOML

/// The canonical JSON form `scripts/toml-differential.py` prints for tomllib's result, written
/// byte for byte the same way (`json.dumps(sort_keys=True, ensure_ascii=True, separators=(",", ":"))`),
/// so the two parsers' trees compare as strings.
enum CanonicalJSON {
    static func render(_ table: TOMLTable) -> String {
        var out = ""
        write(.table(table), into: &out)
        return out
    }

    static func write(_ value: TOMLValue, into out: inout String) {
        switch value {
        case .table(let table):
            out += "{"
            // Python sorts keys by code point; Swift's String order is by canonical equivalence.
            let sorted = table.entries.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
            for (index, entry) in sorted.enumerated() {
                if index > 0 { out += "," }
                writeString(entry.key, into: &out)
                out += ":"
                write(entry.value, into: &out)
            }
            out += "}"
        case .array(let array):
            out += "[\"array\",["
            for (index, element) in array.enumerated() {
                if index > 0 { out += "," }
                write(element.value, into: &out)
            }
            out += "]]"
        case .string(let text): pair("string", text, into: &out)
        case .integer(let number): pair("integer", String(number), into: &out)
        case .float(let number): pair("float", number.text, into: &out)
        case .boolean(let flag): pair("bool", flag ? "true" : "false", into: &out)
        case .date(let date): pair("date-local", date.description, into: &out)
        case .time(let time): pair("time-local", clock(time), into: &out)
        case .dateTime(let dateTime):
            var text = dateTime.date.description + "T" + clock(dateTime.time)
            guard let minutes = dateTime.offsetMinutes else {
                pair("datetime-local", text, into: &out)
                return
            }
            text += (minutes < 0 ? "-" : "+") + two(abs(minutes) / 60) + ":" + two(abs(minutes) % 60)
            pair("datetime", text, into: &out)
        }
    }

    /// `HH:MM:SS` plus microseconds when not zero, as tomllib keeps them (truncated to 6 digits).
    private static func clock(_ time: TOMLTime) -> String {
        var text = two(time.hour) + ":" + two(time.minute) + ":" + two(time.second)
        let micro = String((time.fraction + "000000").prefix(6))
        if micro != "000000" { text += "." + micro }
        return text
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func pair(_ type: String, _ text: String, into out: inout String) {
        out += "[\"\(type)\","
        writeString(text, into: &out)
        out += "]"
    }

    private static func writeString(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case " "..."~": out.unicodeScalars.append(scalar)
            default:
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            }
        }
        out += "\""
    }
}
