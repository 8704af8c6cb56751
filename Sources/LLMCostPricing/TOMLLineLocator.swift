/// Finds the line a key or table header was written on, for error messages.
///
/// TOMLKit keeps no source positions for parsed keys, so after parsing we scan the text once:
/// every `[table]` / `[[array]]` header and every `key =` line, in order. Good enough for the
/// flat layout of pricing files (multi-line strings containing `=` could mislead it; they do
/// not occur there).
struct TOMLLineLocator {
    private struct Header {
        var line: Int
        var path: String
        var isArray: Bool
    }

    private struct KeyLine {
        var line: Int
        var key: String
        /// Index into `headers` of the table the key is in, or -1 for the top level.
        var header: Int
    }

    private var headers: [Header] = []
    private var keys: [KeyLine] = []

    init(text: String) {
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                let inner = line.dropFirst(2).prefix(while: { $0 != "]" })
                headers.append(Header(line: lineNumber, path: Self.clean(inner), isArray: true))
            } else if line.hasPrefix("[") {
                let inner = line.dropFirst().prefix(while: { $0 != "]" })
                headers.append(Header(line: lineNumber, path: Self.clean(inner), isArray: false))
            } else if let equals = line.firstIndex(of: "=") {
                keys.append(KeyLine(line: lineNumber, key: Self.clean(line[..<equals]), header: headers.count - 1))
            }
        }
    }

    private static func clean(_ text: Substring) -> String {
        text.trimmingCharacters(in: [" ", "\t", "\"", "'"])
    }

    /// The line of the `occurrence`-th (0-based) `[[path]]` header.
    func arrayHeaderLine(_ path: String, occurrence: Int) -> Int? {
        headerIndex(path, occurrence: occurrence).map { headers[$0].line }
    }

    /// The line of `key` inside the `occurrence`-th `[[path]]` table, else the header's line.
    func line(ofKey key: String, inArray path: String, occurrence: Int) -> Int? {
        guard let index = headerIndex(path, occurrence: occurrence) else { return nil }
        return keys.first(where: { $0.header == index && $0.key == key })?.line ?? headers[index].line
    }

    /// The line of `key` (or of the header) in the `tier`-th `[[<array>.<child>]]` table that
    /// follows the `occurrence`-th `[[array]]` header.
    func line(ofKey key: String?, inChild child: String, ofArray path: String, occurrence: Int, childIndex: Int) -> Int? {
        guard let parent = headerIndex(path, occurrence: occurrence) else { return nil }
        let childPath = path + "." + child
        var seen = 0
        var index = parent + 1
        while index < headers.count, headers[index].path != path {
            if headers[index].path == childPath {
                if seen == childIndex {
                    guard let key else { return headers[index].line }
                    return keys.first(where: { $0.header == index && $0.key == key })?.line ?? headers[index].line
                }
                seen += 1
            }
            index += 1
        }
        return headers[parent].line
    }

    /// The line of a top-level `key =`.
    func topLevelLine(ofKey key: String) -> Int? {
        keys.first(where: { $0.header == -1 && $0.key == key })?.line
    }

    private func headerIndex(_ path: String, occurrence: Int) -> Int? {
        var seen = 0
        for (index, header) in headers.enumerated() where header.isArray && header.path == path {
            if seen == occurrence { return index }
            seen += 1
        }
        return nil
    }
}
