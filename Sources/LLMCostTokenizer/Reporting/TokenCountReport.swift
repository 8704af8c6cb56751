import Foundation

/// What `llm-cost tokens` counts: one count per input and a total (the presentation module
/// prints it as text or JSON).
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
}
