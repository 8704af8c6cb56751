import Foundation

/// One tiktoken encoding, exact to the token: split pattern, mergeable ranks, special tokens.
///
/// `encode` and `count` treat special-token strings as plain text, like tiktoken's
/// `encode_ordinary`; pass `allowedSpecial` to turn those strings into their ids instead.
/// Instances are immutable and safe to share across threads; load them through
/// `EncodingLoader` (`EncodingLoader.shared.encoding(.o200k_base)`), which caches them.
public final class BPEEncoding: Sendable {
    public let name: EncodingName
    let table: RankTable
    /// Special token text to id.
    public let specialTokens: [String: Int]
    private let specialTokenText: [Int: String]

    init(name: EncodingName, table: RankTable) {
        self.name = name
        self.table = table
        specialTokens = name.specialTokens
        // o200k_harmony gives 200018 two names (<|endofprompt|> and <|reserved_200018|>, as
        // tiktoken does); decoding uses the meaningful one.
        specialTokenText = Dictionary(name.specialTokens.map { ($1, $0) }) { first, second in
            first.hasPrefix("<|reserved_") ? second : first
        }
    }

    /// Token ids of `text`, special-token strings encoded as ordinary text.
    public func encode(_ text: String) -> [Int] {
        // Every token stands for at least one byte, so the byte count bounds the ids: write
        // them straight into the result's storage, with no per-append capacity checks. The
        // untouched rest of a generous allocation is never faulted in; huge texts still take
        // the growing array.
        let bound = text.utf8.count
        guard bound > 0, bound <= Self.directWriteLimit else {
            var sink = TokenArraySink()
            sink.ids.reserveCapacity(bound / 4)
            run(text, into: &sink)
            return sink.ids
        }
        return [Int](unsafeUninitializedCapacity: bound) { buffer, initialized in
            var sink = TokenBufferSink(base: buffer.baseAddress!)
            run(text, into: &sink)
            initialized = sink.count
        }
    }

    /// Texts up to this many bytes get their ids written into a buffer of that many slots.
    private static let directWriteLimit = 64 << 20

    /// Token ids of `text`, where occurrences of the special tokens in `allowedSpecial` become
    /// their ids (as tiktoken's `encode(text, allowed_special=...)`); other text is ordinary.
    public func encode(_ text: String, allowedSpecial: Set<String>) -> [Int] {
        var sink = TokenArraySink()
        runWithSpecials(text, allowedSpecial: allowedSpecial, into: &sink)
        return sink.ids
    }

    /// The number of tokens `encode(text)` would return, without building the id array.
    public func count(_ text: String) -> Int {
        var sink = TokenCountSink()
        run(text, into: &sink)
        return sink.count
    }

    /// The number of tokens `encode(text, allowedSpecial:)` would return.
    public func count(_ text: String, allowedSpecial: Set<String>) -> Int {
        var sink = TokenCountSink()
        runWithSpecials(text, allowedSpecial: allowedSpecial, into: &sink)
        return sink.count
    }

    /// The bytes the ids stand for; ids outside the vocabulary contribute nothing.
    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        for id in ids {
            if let special = specialTokenText[id] {
                bytes.append(contentsOf: special.utf8)
            } else {
                bytes.append(contentsOf: table.tokenBytes(id))
            }
        }
        return bytes
    }

    /// The text the ids stand for; byte sequences that are not valid UTF-8 (a token can end
    /// mid-character) become U+FFFD, as tiktoken's `decode(errors="replace")`.
    public func decode(_ ids: [Int]) -> String {
        String(decoding: decodeBytes(ids), as: UTF8.self)
    }

    /// The number of ordinary (mergeable) ranks, not counting special tokens.
    public var mergeableRankCount: Int { table.rankCount }

    // MARK: - The hot loop

    private func run<Sink: TokenSink>(_ text: String, into sink: inout Sink) {
        var text = text
        text.withUTF8 { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            encodeOrdinary(UTF8Text(base: base, count: buffer.count, classes: table.view.classes), into: &sink)
        }
    }

    private func runWithSpecials<Sink: TokenSink>(_ text: String, allowedSpecial: Set<String>, into sink: inout Sink) {
        let allowed = allowedSpecial.compactMap { text in specialTokens[text].map { (Array(text.utf8), $0) } }
        guard !allowed.isEmpty else { return run(text, into: &sink) }
        var text = text
        text.withUTF8 { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            var segmentStart = 0
            var position = 0
            while position < buffer.count {
                // Special tokens all start with "<|", which keeps this scan cheap.
                if buffer[position] == UInt8(ascii: "<"),
                    let (tokenLength, id) = allowed.lazy.compactMap({ (bytes, id) -> (Int, Int)? in
                        guard position + bytes.count <= buffer.count,
                            memcmp(base + position, bytes, bytes.count) == 0
                        else { return nil }
                        return (bytes.count, id)
                    }).first
                {
                    if position > segmentStart {
                        encodeOrdinary(UTF8Text(base: base + segmentStart, count: position - segmentStart, classes: table.view.classes), into: &sink)
                    }
                    sink.append(UInt32(id))
                    position += tokenLength
                    segmentStart = position
                } else {
                    position += 1
                }
            }
            if buffer.count > segmentStart {
                encodeOrdinary(UTF8Text(base: base + segmentStart, count: buffer.count - segmentStart, classes: table.view.classes), into: &sink)
            }
        }
    }

    private func encodeOrdinary<Sink: TokenSink>(_ text: UTF8Text, into sink: inout Sink) {
        let memo = text.count >= PieceMemo.minimumTextLength ? PieceMemo.allocate(textLength: text.count) : nil
        defer { memo?.deallocate() }
        encodeOrdinary(text, memo: memo, into: &sink)
    }

    private func encodeOrdinary<Sink: TokenSink>(_ text: UTF8Text, memo: PieceMemo?, into sink: inout Sink) {
        switch name.splitPattern {
        case .cl100k: encodePieces(text, scanner: CL100KScanner.self, memo: memo, into: &sink)
        case .o200k: encodePieces(text, scanner: O200KScanner.self, memo: memo, into: &sink)
        case .p50k: encodePieces(text, scanner: P50KScanner.self, memo: memo, into: &sink)
        }
    }

    @inline(__always)
    private func encodePieces<Scanner: PieceScanner, Sink: TokenSink>(
        _ text: UTF8Text, scanner: Scanner.Type, memo: PieceMemo?, into sink: inout Sink
    ) {
        let table = self.table.view
        var start = 0
        while start < text.count {
            let end = Scanner.pieceEnd(in: text, from: start)
            let length = end - start
            if length == 1 {
                sink.append(table.byteRanks[Int(text[start])])
            } else {
                let rank = table.pieceRank(of: text.base + start, length: length, readable: text.count - start)
                if rank != RankTable.none {
                    sink.append(rank)
                } else if let memo, length <= PieceMemo.maxPieceLength {
                    memo.merge(text.base + start, length: length, table: table, into: &sink)
                } else {
                    BytePairMerge.merge(text.base + start, length: length, table: table, into: &sink)
                }
            }
            start = end
        }
        withExtendedLifetime(self.table) {}
    }
}
