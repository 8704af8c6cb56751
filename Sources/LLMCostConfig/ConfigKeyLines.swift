/// Finds the line each key of a TOML document is written on, for error messages (TOMLKit
/// reports positions for syntax errors only). Understands `[table]`, `[[array]]` headers,
/// dotted and quoted keys; skips comments and the inside of multi-line strings.
struct ConfigKeyLines {
    private(set) var lines: [String: Int] = [:]

    init(text: String) {
        var table: [String] = []
        var arrayCounts: [String: Int] = [:]
        var inMultilineString = false
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let quotes = line.components(separatedBy: "\"\"\"").count - 1 + line.components(separatedBy: "'''").count - 1
            if inMultilineString {
                if quotes % 2 == 1 { inMultilineString = false }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                let name = Self.keyPath(String(line.dropFirst(2).prefix { $0 != "]" }))
                let path = name.joined(separator: ".")
                let index = arrayCounts[path, default: 0]
                arrayCounts[path] = index + 1
                table = name + ["\(index)"]
                lines[table.joined(separator: "."), default: number] = number
                continue
            }
            if line.hasPrefix("[") {
                table = Self.keyPath(String(line.dropFirst().prefix { $0 != "]" }))
                lines[table.joined(separator: "."), default: number] = number
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = Self.keyPath(String(line[..<equals]))
            lines[(table + key).joined(separator: "."), default: number] = number
            if quotes % 2 == 1 { inMultilineString = true }
        }
    }

    /// `a."b.c".d` → `["a", "b.c", "d"]`.
    static func keyPath(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for character in text.trimmingCharacters(in: .whitespaces) {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "." {
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current.trimmingCharacters(in: .whitespaces))
        return parts
    }

    func line(of path: String) -> Int? { lines[path] }
}

import Foundation
