/// Reads tiktoken's `.tiktoken` format: one `BASE64 RANK` pair per line.
enum RankFileParser {
    /// Parses the file's bytes into a rank table; `path` and line numbers go into errors.
    static func parse(_ data: UnsafeRawBufferPointer, path: String) throws -> RankTable {
        var tokens: [(bytes: ArraySlice<UInt8>, rank: Int)] = []
        tokens.reserveCapacity(data.count / 12)
        // All decoded tokens share one buffer; the slices point into it.
        var decoded = [UInt8]()
        decoded.reserveCapacity(data.count)
        var spans: [(start: Int, end: Int, rank: Int)] = []
        spans.reserveCapacity(data.count / 12)
        var lineNumber = 0
        var position = 0
        let count = data.count
        while position < count {
            lineNumber += 1
            var lineEnd = position
            while lineEnd < count, data[lineEnd] != 0x0A { lineEnd += 1 }
            defer { position = lineEnd + 1 }
            if lineEnd == position { continue }  // tolerate blank lines, as tiktoken's split() does
            var space = position
            while space < lineEnd, data[space] != 0x20 { space += 1 }
            guard space < lineEnd else {
                throw TokenizerError.malformedRankFile(path: path, line: lineNumber, reason: "no space between token and rank")
            }
            var rank = 0
            var digit = space + 1
            guard digit < lineEnd else {
                throw TokenizerError.malformedRankFile(path: path, line: lineNumber, reason: "missing rank")
            }
            while digit < lineEnd {
                let byte = data[digit]
                guard byte >= 0x30, byte <= 0x39 else {
                    throw TokenizerError.malformedRankFile(path: path, line: lineNumber, reason: "rank is not a decimal integer")
                }
                rank = rank * 10 + Int(byte - 0x30)
                // The pair table packs ranks in 20 bits; real encodings stay far below.
                guard rank < 1 << 20 else {
                    throw TokenizerError.malformedRankFile(path: path, line: lineNumber, reason: "rank is not below 2^20")
                }
                digit += 1
            }
            let start = decoded.count
            guard Base64.decode(UnsafeRawBufferPointer(rebasing: data[position..<space]), appendingTo: &decoded) else {
                throw TokenizerError.malformedRankFile(path: path, line: lineNumber, reason: "token is not valid base64")
            }
            spans.append((start, decoded.count, rank))
        }
        guard !spans.isEmpty else {
            throw TokenizerError.malformedRankFile(path: path, line: 1, reason: "file holds no ranks")
        }
        for span in spans { tokens.append((decoded[span.start..<span.end], span.rank)) }
        return RankTable(tokens: tokens)
    }
}

/// Standard base64 (RFC 4648, with padding) decoding for rank-file tokens.
enum Base64 {
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    /// Appends the decoded bytes; false when the input is not base64.
    static func decode(_ text: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) -> Bool {
        guard text.count % 4 == 0, text.count > 0 else { return false }
        var index = 0
        while index < text.count {
            let c0 = values[Int(text[index])], c1 = values[Int(text[index + 1])]
            let p2 = text[index + 2], p3 = text[index + 3]
            guard c0 != 0xFF, c1 != 0xFF else { return false }
            output.append(c0 << 2 | c1 >> 4)
            let isLast = index + 4 == text.count
            if p2 == UInt8(ascii: "=") {
                guard isLast, p3 == UInt8(ascii: "=") else { return false }
                return true
            }
            let c2 = values[Int(p2)]
            guard c2 != 0xFF else { return false }
            output.append(c1 << 4 | c2 >> 2)
            if p3 == UInt8(ascii: "=") {
                guard isLast else { return false }
                return true
            }
            let c3 = values[Int(p3)]
            guard c3 != 0xFF else { return false }
            output.append(c2 << 6 | c3)
            index += 4
        }
        return true
    }
}
