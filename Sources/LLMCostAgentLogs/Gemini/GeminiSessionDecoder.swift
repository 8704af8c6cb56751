import Foundation
import LLMCostCore

/// Reads Gemini CLI sessions (`~/.gemini/tmp/<project>/chats/`), in both of their formats:
///
/// - Current: `session-*.jsonl`, append-only. The first record is the session's metadata
///   `{sessionId, projectHash, startTime, lastUpdated, kind?}`; then message records
///   `{id, timestamp, type, content, tokens, model, ...}`, `{"$set": {...}}` patches and
///   `{"$rewindTo": id}` markers. A sub-agent's session is `chats/<parent session>/<id>.jsonl`,
///   its metadata `kind: "subagent"`.
/// - Legacy: `session-*.json`, one pretty-printed document
///   `{sessionId, projectHash, startTime, lastUpdated, messages: [...]}` rewritten whole on
///   every change. The importer hands the whole file to `decode(line:)` as one unit.
///
/// The rules that make totals right:
///
/// - Only `type: "gemini"` messages with `tokens` are billed; `tokens` attach to a message
///   after it is first written, and the message is appended again with them. Every copy has
///   the request id `<sessionId>/<message id>`, so the ledger keeps the one with the most
///   tokens. A legacy `.json` and the `.jsonl` copy Gemini CLI makes of it on resume (it does
///   not delete the `.json`) have the same ids and count once.
/// - A `$set` patch carrying `messages` (the whole message list, after history sync) yields
///   every billed message in it, under the same ids.
/// - `$rewindTo` is ignored: the rewound requests were billed.
/// - `tokens` = `{input, output, cached, thoughts, tool, total}` as the Gemini API counts
///   them: input includes cached, output excludes thoughts, tool is prompt on top of input. So
///   the ledger's input is `input - cached + tool` (cached clamped to at most input), cache
///   reads are `cached`, output is `output + thoughts`, reasoning is `thoughts`.
/// - A message with all counts zero is not billed. In a message list (a legacy document, a
///   `$set`), a billed message that cannot be keyed or dated is left out and the others are
///   yielded; the list is `.skipped` when none is left.
///
/// Attribution: provider `google`, agent `gemini-cli`, model the message's `model`
/// (`unknown` when missing); session the metadata's `sessionId`, or for a sub-agent the parent
/// session's id (metadata `parentSessionId`, else the directory name) with tag `subagent` =
/// its own session id. Tags `source` (the log file) and `project`: the file holds no working
/// directory, so `init(path:resumingFrom:)` looks it up once (see `projectRoot(ofLogAt:)`);
/// `decode` does no I/O.
public struct GeminiSessionDecoder: AgentLogLineDecoder {
    private let path: String
    private let project: String?
    /// The parent session of a sub-agent's file, from its directory `chats/<parent>/`.
    private let parentFromPath: String?
    private var session = GeminiSessionState()

    /// A decoder whose `project` tag is looked up next to the file (`projectRoot(ofLogAt:)`).
    public init(path: String, resumingFrom state: [UInt8]?) {
        self.init(path: path, resumingFrom: state, project: Self.projectRoot(ofLogAt: path))
    }

    /// A decoder with the project given (`nil`: no `project` tag); it does no I/O.
    public init(path: String, resumingFrom state: [UInt8]?, project: String?) {
        self.path = path
        self.project = project.flatMap { $0.isEmpty ? nil : $0 }
        parentFromPath = GeminiLogLocation(path: path)?.parentSessionDirectory
        if let state, let restored = GeminiSessionState(encoded: state) { session = restored }
    }

    public var state: [UInt8]? { session.encoded }

    public mutating func decode(line: UnsafeBufferPointer<UInt8>) -> AgentLogLine {
        var fields = RecordFields()
        if let reason = LogField.readLine(line, { scanner, key in try fields.read(key: key, from: &scanner) }) {
            return .skipped(reason: reason)
        }
        return outcome(of: fields)
    }

    /// The project directory a Gemini CLI session file belongs to, or `nil` when nothing says:
    /// `<dir>/.project_root` (a text file holding the absolute path; `<dir>` is the directory
    /// above `chats`), else the key of `projects.json` whose value is `<dir>`'s name, in the
    /// `.gemini` directory above `tmp`.
    public static func projectRoot(ofLogAt path: String) -> String? {
        guard let location = GeminiLogLocation(path: path) else { return nil }
        if let data = FileManager.default.contents(atPath: location.projectDirectory + "/.project_root") {
            let root = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !root.isEmpty { return root }
        }
        guard let geminiDirectory = location.geminiDirectory,
            let data = FileManager.default.contents(atPath: geminiDirectory + "/projects.json")
        else { return nil }
        return Array(data).withUnsafeBufferPointer { projectPath(named: location.projectDirectoryName, inRegistry: $0) }
    }

    /// The key of `{"projects": {"/abs/path": "<name>"}}` whose value is `name` (the first, if several).
    static func projectPath(named name: String, inRegistry bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var scanner = JSONScanner(bytes, loneSurrogates: .replace)
        var found: String?
        do {
            try scanner.readObject { scanner, key, _ in
                guard LogField.key(key, is: "projects") else { return try scanner.skipValue() }
                try LogField.object(&scanner) { scanner, key in
                    let projectPath = String(decoding: key, as: UTF8.self)
                    if try LogField.string(&scanner) == name, found == nil, !projectPath.isEmpty { found = projectPath }
                }
            }
        } catch {
            return found
        }
        return found
    }

    private mutating func outcome(of fields: RecordFields) -> AgentLogLine {
        if fields.isRewind { return .noUsage }
        if fields.isPatch {
            guard let messages = fields.patchMessages else { return .noUsage }
            return requests(messages)
        }
        if let messages = fields.documentMessages {
            // A legacy document: its own metadata, then its messages.
            session.take(metadata: fields)
            return requests(messages)
        }
        if fields.message.type == nil && fields.message.id == nil {
            if fields.sessionID != nil { session.take(metadata: fields) }
            return .noUsage
        }
        switch request(fields.message) {
        case .none: return .noUsage
        case .some(.success(let record)): return .request(record)
        case .some(.failure(let problem)): return .skipped(reason: problem.description)
        }
    }

    private func requests(_ messages: [MessageFields]) -> AgentLogLine {
        var records: [CallRecord] = []
        var firstProblem: LogField.Invalid?
        var problems = 0
        for message in messages {
            switch request(message) {
            case .none: break
            case .some(.success(let record)): records.append(record)
            case .some(.failure(let problem)):
                problems += 1
                if firstProblem == nil { firstProblem = problem }
            }
        }
        if records.isEmpty, let firstProblem {
            return .skipped(reason: problems == 1 ? firstProblem.description : "\(firstProblem.description) (and \(problems - 1) more)")
        }
        return records.isEmpty ? .noUsage : .requests(records)
    }

    /// The billed request of a message, `nil` for a message that is not billed, or why a
    /// billed one cannot be recorded.
    private func request(_ message: MessageFields) -> Result<CallRecord, LogField.Invalid>? {
        guard message.type == "gemini", let tokens = message.tokens else { return nil }
        let usage = tokens.usage
        guard usage.totalTokens > 0 else { return nil }
        func problem(_ text: String) -> Result<CallRecord, LogField.Invalid> {
            let name = message.id.map { "message \"\($0)\"" } ?? "a gemini message"
            return .failure(LogField.Invalid(description: "\(name): \(text)"))
        }
        guard let id = message.id, !id.isEmpty else { return problem("no id") }
        guard let sessionID = session.sessionID else { return problem("before the session's metadata record (no sessionId to key it by)") }
        guard let timestamp = message.timestamp, let milliseconds = Timestamp.parseMilliseconds(timestamp) else {
            return problem(message.timestamp.map { "timestamp \"\($0)\" is not an ISO 8601 time" } ?? "no timestamp")
        }
        if let inconsistency = usage.inconsistency { return problem("tokens: \(inconsistency)") }

        let model = message.model.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
        var record = CallRecord(timestamp: Date(timeIntervalSince1970: 0), provider: AgentLogSource.gemini.provider, model: model)
        record.epochMilliseconds = milliseconds
        record.agent = AgentLogSource.gemini.agentName
        record.requestID = sessionID + "/" + id
        record.usage = usage
        var tags: [String: String] = ["source": path]
        if let project { tags["project"] = project }
        let parent = session.parentSessionID ?? parentFromPath
        if session.kind == "subagent" || parent != nil {
            record.session = parent ?? sessionID
            tags["subagent"] = sessionID
        } else {
            record.session = sessionID
        }
        record.tags = tags
        return .success(record)
    }
}

/// Where a session file sits: `.../<gemini>/tmp/<dir>/chats/[<parent>/]<file>`.
struct GeminiLogLocation: Equatable {
    /// `<dir>`: the project's folder under `tmp`.
    var projectDirectory: String
    var projectDirectoryName: String
    /// The folder above `tmp`, when the project's folder is in one named `tmp`.
    var geminiDirectory: String?
    /// `<parent>`, for a sub-agent's file in `chats/<parent>/`.
    var parentSessionDirectory: String?

    init?(path: String) {
        let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // The last `chats` among the directories (not the file name itself).
        guard components.count >= 3,
            let chats = components.indices.dropLast().last(where: { components[$0] == "chats" }), chats >= 1
        else { return nil }
        let name = components[chats - 1]
        guard !name.isEmpty else { return nil }
        func joined(_ count: Int) -> String {
            let text = components[..<count].joined(separator: "/")
            return text.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : text
        }
        projectDirectory = joined(chats)
        projectDirectoryName = name
        geminiDirectory = chats >= 2 && components[chats - 2] == "tmp" ? joined(chats - 2) : nil
        let fileDirectory = components.count - 2
        parentSessionDirectory = fileDirectory == chats + 1 && !components[fileDirectory].isEmpty ? components[fileDirectory] : nil
    }
}

/// The fields of one record (or legacy document) that matter.
private struct RecordFields {
    /// Metadata (a metadata record or a legacy document).
    var sessionID: String?
    var kind: String?
    var parentSessionID: String?
    /// A message record's own fields.
    var message = MessageFields()
    var isPatch = false
    var patchMessages: [MessageFields]?
    var isRewind = false
    var documentMessages: [MessageFields]?

    mutating func read(key: UnsafeBufferPointer<UInt8>, from scanner: inout JSONScanner) throws {
        if LogField.key(key, is: "sessionId") { sessionID = try LogField.string(&scanner) }
        else if LogField.key(key, is: "kind") { kind = try LogField.string(&scanner) }
        else if LogField.key(key, is: "parentSessionId") { parentSessionID = try LogField.string(&scanner) }
        else if LogField.key(key, is: "messages") { documentMessages = try MessageFields.list(&scanner) }
        else if LogField.key(key, is: "$rewindTo") {
            isRewind = true
            try scanner.skipValue()
        } else if LogField.key(key, is: "$set") {
            isPatch = true
            try LogField.object(&scanner) { scanner, key in
                if LogField.key(key, is: "messages") { patchMessages = try MessageFields.list(&scanner) }
                else { try scanner.skipValue() }
            }
        } else {
            try message.read(key: key, from: &scanner)
        }
    }
}

/// A message record, or an element of a message list.
private struct MessageFields {
    var id: String?
    var timestamp: String?
    var type: String?
    var model: String?
    var tokens: TokenFields?

    mutating func read(key: UnsafeBufferPointer<UInt8>, from scanner: inout JSONScanner) throws {
        if LogField.key(key, is: "id") { id = try LogField.string(&scanner) }
        else if LogField.key(key, is: "timestamp") { timestamp = try LogField.string(&scanner) }
        else if LogField.key(key, is: "type") { type = try LogField.string(&scanner) }
        else if LogField.key(key, is: "model") { model = try LogField.string(&scanner) }
        else if LogField.key(key, is: "tokens") {
            var fields = TokenFields()
            var isObject = false
            try LogField.object(&scanner) { scanner, key in
                isObject = true
                try fields.read(key: key, from: &scanner)
            }
            tokens = isObject ? fields : nil
        } else {
            try scanner.skipValue()
        }
    }

    /// The objects of an array (other values skipped); `nil` when the value is not an array.
    static func list(_ scanner: inout JSONScanner) throws -> [MessageFields]? {
        switch try scanner.readScalar() {
        case .arrayStart: break
        case .objectStart:
            try scanner.readObject(openingConsumed: true) { scanner, _, _ in try scanner.skipValue() }
            return nil
        default: return nil
        }
        var messages: [MessageFields] = []
        try scanner.readArray(openingConsumed: true) { scanner in
            var message = MessageFields()
            var isObject = false
            try LogField.object(&scanner) { scanner, key in
                isObject = true
                try message.read(key: key, from: &scanner)
            }
            if isObject { messages.append(message) }
        }
        return messages
    }
}

/// `tokens` of a gemini message (Gemini's `usageMetadata`, renamed).
private struct TokenFields {
    var input: Int64 = 0
    var output: Int64 = 0
    var cached: Int64 = 0
    var thoughts: Int64 = 0
    var tool: Int64 = 0

    mutating func read(key: UnsafeBufferPointer<UInt8>, from scanner: inout JSONScanner) throws {
        if LogField.key(key, is: "input") { input = try LogField.count(&scanner, "tokens.input") }
        else if LogField.key(key, is: "output") { output = try LogField.count(&scanner, "tokens.output") }
        else if LogField.key(key, is: "cached") { cached = try LogField.count(&scanner, "tokens.cached") }
        else if LogField.key(key, is: "thoughts") { thoughts = try LogField.count(&scanner, "tokens.thoughts") }
        else if LogField.key(key, is: "tool") { tool = try LogField.count(&scanner, "tokens.tool") }
        else { try scanner.skipValue() }
    }

    /// The ledger's disjoint shape (each count at most `Usage.maximumCount`: the sums fit).
    var usage: Usage {
        let cacheRead = min(cached, input)
        return Usage(
            inputTokens: input - cacheRead + tool, outputTokens: output + thoughts, cacheReadTokens: cacheRead,
            reasoningTokens: thoughts)
    }
}

/// What a session file's decoder keeps from its metadata record, to key the later records.
struct GeminiSessionState: Equatable {
    var sessionID: String?
    var kind: String?
    var parentSessionID: String?

    init() {}

    /// The first metadata wins: a file is one session.
    fileprivate mutating func take(metadata: RecordFields) {
        guard sessionID == nil, let id = metadata.sessionID, !id.isEmpty else { return }
        sessionID = id
        kind = metadata.kind.flatMap { $0.isEmpty ? nil : $0 }
        parentSessionID = metadata.parentSessionID.flatMap { $0.isEmpty ? nil : $0 }
    }

    private static let formatVersion: Int64 = 1

    /// `nil` until the metadata is read: nothing to keep.
    var encoded: [UInt8]? {
        guard let sessionID else { return nil }
        var writer = JSONWriter()
        writer.raw("{\"v\":")
        writer.integer(Self.formatVersion)
        writer.raw(",\"session\":")
        writer.string(sessionID)
        if let kind {
            writer.raw(",\"kind\":")
            writer.string(kind)
        }
        if let parentSessionID {
            writer.raw(",\"parent\":")
            writer.string(parentSessionID)
        }
        writer.raw("}")
        return writer.bytes
    }

    /// The state `encoded` wrote, or `nil` for anything else (a run then starts afresh).
    init?(encoded bytes: [UInt8]) {
        var state = GeminiSessionState()
        var version: Int64?
        let readable: Bool = bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            do {
                try scanner.readObject { scanner, key, _ in
                    if LogField.key(key, is: "v") { version = try LogField.count(&scanner, "v") }
                    else if LogField.key(key, is: "session") { state.sessionID = try LogField.string(&scanner) }
                    else if LogField.key(key, is: "kind") { state.kind = try LogField.string(&scanner) }
                    else if LogField.key(key, is: "parent") { state.parentSessionID = try LogField.string(&scanner) }
                    else { try scanner.skipValue() }
                }
                scanner.skipWhitespace()
                return scanner.isAtEnd
            } catch {
                return false
            }
        }
        guard readable, version == Self.formatVersion, state.sessionID != nil else { return nil }
        self = state
    }
}
