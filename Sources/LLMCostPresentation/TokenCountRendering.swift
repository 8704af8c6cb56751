import LLMCostTokenizer

extension TokenCountReport {
    /// `COUNT<TAB>PATH` per input, then `COUNT<TAB>total`; with ids, `IDS<TAB>PATH` per input.
    public func text(ids: Bool) -> String {
        var lines: [String] = []
        for entry in entries {
            if ids, let tokenIds = entry.ids {
                lines.append(tokenIds.map(String.init).joined(separator: " ") + "\t" + entry.path)
            } else {
                lines.append("\(entry.estimate.tokens)\t\(entry.path)")
            }
        }
        if !ids { lines.append("\(total.tokens)\ttotal") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line explaining an estimate and its band, for standard error; nil when exact.
    public var estimateWarning: String? {
        guard case .heuristic(let profile) = total.method else { return nil }
        var text = "estimate: heuristic \(profile), total \(total.tokens) (band \(total.low)...\(total.high))"
        if let note { text = note + "\n" + text }
        return text
    }

    /// `{"inputs": [{"path", "bytes", "tokens", method, "ids"?}], "total", method, "note"?}`
    /// where the method is `"exact": true, "encoding"` or `"exact": false, "heuristic",
    /// "low", "high"`; ids only when asked for.
    public func json() -> String {
        func method(_ estimate: TokenEstimate) -> [JSONDocument.Member] {
            switch estimate.method {
            case .exact(let name): [.init("exact", .bool(true)), .init("encoding", .string(name.rawValue))]
            case .heuristic(let profile):
                [.init("exact", .bool(false)), .init("heuristic", .string(profile)),
                 .init("low", .integer(Int64(estimate.low))), .init("high", .integer(Int64(estimate.high)))]
            }
        }
        let inputs = entries.map { entry -> JSONDocument in
            var members: [JSONDocument.Member] = [
                .init("path", .string(entry.path)), .init("bytes", .integer(Int64(entry.bytes))),
                .init("tokens", .integer(Int64(entry.estimate.tokens))),
            ]
            members += method(entry.estimate)
            if let ids = entry.ids { members.append(.init("ids", .array(ids.map { .integer(Int64($0)) }))) }
            return .members(members)
        }
        var root: [JSONDocument.Member] = [.init("inputs", .array(inputs)), .init("total", .integer(Int64(total.tokens)))]
        root += method(total)
        if let note { root.append(.init("note", .string(note))) }
        return JSONDocument.members(root).text()
    }
}
