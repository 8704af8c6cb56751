import Foundation

/// What `llm-cost tokens` prints: one count per input and a total, as text or JSON.
public struct TokenCountReport: Sendable {
    public struct Entry: Sendable {
        public var path: String
        public var bytes: Int
        public var estimate: TokenEstimate
        /// Token ids, when asked for and the count is exact.
        public var ids: [Int]?
    }

    public var entries: [Entry]
    public var total: TokenEstimate
    /// Why the counts are estimates, when they are.
    public var note: String?

    /// Counts each input; `"-"` reads standard input. Ids need an exact encoding.
    public static func make(paths: [String], counter: TokenCounter, includeIds: Bool,
                            readStandardInput: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }) throws -> TokenCountReport {
        var entries: [Entry] = []
        for path in paths {
            let data: Data
            if path == "-" {
                data = readStandardInput()
            } else {
                do {
                    data = try Data(contentsOf: URL(fileURLWithPath: path))
                } catch {
                    throw TokenizerError.unreadableFile(path: path, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
                }
            }
            // Invalid UTF-8 becomes U+FFFD, as Python's errors="replace" would do.
            let text = String(decoding: data, as: UTF8.self)
            var entry = Entry(path: path, bytes: data.count, estimate: counter.count(text), ids: nil)
            if includeIds, let encoding = counter.encoding { entry.ids = encoding.encode(text) }
            entries.append(entry)
        }
        let total = entries.map(\.estimate).reduce(counter.count("")) { $0 + $1 }
        return TokenCountReport(entries: entries, total: total, note: counter.note)
    }

    /// `COUNT<TAB>PATH` per input, then `COUNT<TAB>total`; with ids, `IDS<TAB>PATH` per input.
    public func renderText(ids: Bool) -> String {
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

    public func renderJSON() -> String {
        func method(_ estimate: TokenEstimate) -> [String: Any] {
            switch estimate.method {
            case .exact(let name): ["exact": true, "encoding": name.rawValue]
            case .heuristic(let profile): ["exact": false, "heuristic": profile, "low": estimate.low, "high": estimate.high]
            }
        }
        var inputs: [[String: Any]] = []
        for entry in entries {
            var object: [String: Any] = ["path": entry.path, "bytes": entry.bytes, "tokens": entry.estimate.tokens]
            object.merge(method(entry.estimate)) { old, _ in old }
            if let ids = entry.ids { object["ids"] = ids }
            inputs.append(object)
        }
        var root: [String: Any] = ["inputs": inputs, "total": total.tokens]
        root.merge(method(total)) { old, _ in old }
        if let note { root["note"] = note }
        guard let data = try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
