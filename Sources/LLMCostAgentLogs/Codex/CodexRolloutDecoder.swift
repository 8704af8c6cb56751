import Foundation
import LLMCostCore

/// Reads Codex CLI rollouts (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`, and the same
/// files moved to `archived_sessions/`): one `{timestamp, type, payload}` envelope per line.
///
/// Usage is on `event_msg` lines whose `payload.type` is `token_count`:
/// `payload.info.total_token_usage` is the thread's cumulative usage, `last_token_usage` the
/// latest response's. The rules that make totals right:
///
/// - A request is the step between two cumulative totals: its usage is the total minus the
///   previous total of this file. Codex writes `token_count` again with the same total (UI and
///   rate-limit refreshes, often half the events of a file): no new usage. `info: null` lines
///   are rate-limit updates: no usage.
/// - A total that went down, in any of its four counts, is a counter that restarted: that
///   request's usage is its `last_token_usage` (or the total itself when there is none).
/// - Builds without `total_token_usage` count `last_token_usage`, except when it repeats the
///   previous event's numbers exactly (a re-emit); the running sum stands in for the total.
/// - Counts: `input_tokens` includes `cached_input_tokens` and `output_tokens` includes
///   `reasoning_output_tokens`, so the ledger's input is input minus cached (cached clamped to
///   at most input), cache reads are cached, output is output, reasoning is reasoning (clamped
///   to at most output).
/// - The model is the latest `turn_context.payload.model` before the event; before any, it is
///   `unknown` (recorded unpriced, never dropped).
///
/// Forks. A forked thread's file starts with its own `session_meta` (with `forked_from_id`),
/// then the parent's `session_meta` (and the grandparent's, for a fork of a fork), then a replay
/// of the parent's history with its `token_count` events and cumulative totals, with no marker
/// where the replay ends; the fork's own requests follow, their totals continuing from the
/// parent's. So each request is keyed by the fork family's root thread and the cumulative
/// totals it reached: `requestID = "<root>:<input>,<cached>,<output>,<reasoning>"`. The root of
/// a file that is not a fork is its own id; in a fork it starts at `forked_from_id` and moves
/// to the `forked_from_id` of each later `session_meta` whose id is the current root. A
/// replayed event then has the same request id as the same event in the parent's own file, and
/// the ledger counts it once, whichever file it reads first; the fork's own requests have
/// totals the parent never reached, so they are new.
/// - Assumption: the ancestors' `session_meta` lines come before the replayed events, and the
///   replay repeats the parent's sequence of distinct totals from its start.
/// - Failure modes: a replayed event seen before the `session_meta` that moves the root is
///   keyed under an intermediate root and counted twice; a replay that leaves out the
///   parent's first events makes the first replayed request's usage the sum of the missing
///   steps, and the ledger keeps that larger copy (an overcount of those steps). Two threads of
///   one family reaching exactly the same four totals would be counted once.
///
/// Plain sub-agent threads (`source.subagent.thread_spawn` without `forked_from_id`) start
/// from zero and are counted as their own root.
///
/// Attribution: provider `openai`, agent `codex`; session: the file's own thread id (its first
/// `session_meta`; later ones in a fork are the ancestors' and change only the root), or, for a
/// spawned sub-agent thread, the parent thread's id (`thread_spawn.parent_thread_id`) with tag
/// `subagent` = the sub-agent thread's own id (unique, where nicknames and roles repeat). Other
/// sub-agent sources (`review`, `compact`, `{"other": name}`) are tagged `subagent` = that kind
/// (the name, for `other`). Tags `project` (`cwd`, the latest `turn_context`'s when given),
/// `branch` (`git.branch`), `agent_version` (`cli_version`), `source` (the log file). A
/// `token_count` before any `session_meta` is keyed by the file's path instead of a root.
///
/// Rollouts from before September 2025 have no envelope and no usage: their lines are
/// `.noUsage`.
public struct CodexRolloutDecoder: AgentLogLineDecoder {
    private let path: String
    private var thread = CodexThreadState()

    public init(path: String, resumingFrom state: [UInt8]?) {
        self.path = path
        if let state, let restored = CodexThreadState(encoded: state) { thread = restored }
    }

    public var state: [UInt8]? { thread.encoded }

    public mutating func decode(line: UnsafeBufferPointer<UInt8>) -> AgentLogLine {
        var fields = RolloutLineFields()
        if let reason = LogField.readLine(line, { scanner, key in try fields.read(key: key, from: &scanner) }) {
            return .skipped(reason: reason)
        }
        return thread.consume(fields, path: path)
    }
}

/// The four cumulative (or per-request) counts of a Codex usage object, in Codex's own shape:
/// cached inside input, reasoning inside output.
struct CodexTokenCounts: Hashable {
    var input: Int64 = 0
    var cached: Int64 = 0
    var output: Int64 = 0
    var reasoning: Int64 = 0

    static let zero = CodexTokenCounts()

    var components: [Int64] { [input, cached, output, reasoning] }

    init(input: Int64 = 0, cached: Int64 = 0, output: Int64 = 0, reasoning: Int64 = 0) {
        self.input = input
        self.cached = cached
        self.output = output
        self.reasoning = reasoning
    }

    init?(components: [Int64]) {
        guard components.count == 4, components.allSatisfy({ $0 >= 0 }) else { return nil }
        self.init(input: components[0], cached: components[1], output: components[2], reasoning: components[3])
    }

    /// Whether any count is below `other`'s: the counter restarted.
    func hasDecreased(from other: CodexTokenCounts) -> Bool {
        input < other.input || cached < other.cached || output < other.output || reasoning < other.reasoning
    }

    /// Counts both at most `Usage.maximumCount`, so neither the differences nor these sums overflow.
    static func - (lhs: CodexTokenCounts, rhs: CodexTokenCounts) -> CodexTokenCounts {
        CodexTokenCounts(
            input: lhs.input - rhs.input, cached: lhs.cached - rhs.cached,
            output: lhs.output - rhs.output, reasoning: lhs.reasoning - rhs.reasoning)
    }

    /// A running sum that saturates instead of overflowing (a file of absurd counts must not trap).
    static func + (lhs: CodexTokenCounts, rhs: CodexTokenCounts) -> CodexTokenCounts {
        func add(_ a: Int64, _ b: Int64) -> Int64 {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? Int64.max : sum
        }
        return CodexTokenCounts(
            input: add(lhs.input, rhs.input), cached: add(lhs.cached, rhs.cached),
            output: add(lhs.output, rhs.output), reasoning: add(lhs.reasoning, rhs.reasoning))
    }

    /// The ledger's disjoint shape: fresh input apart from cache reads.
    var usage: Usage {
        let cacheRead = min(cached, input)
        return Usage(
            inputTokens: input - cacheRead, outputTokens: output, cacheReadTokens: cacheRead,
            reasoningTokens: min(reasoning, output))
    }

    /// `input,cached,output,reasoning`: the cumulative part of a request id.
    var key: String { "\(input),\(cached),\(output),\(reasoning)" }
}

/// Who a thread's requests are attributed to, read from `session_meta.payload.source`.
private enum ThreadSource {
    /// A thread the user started (`cli`, `vscode`, `exec`, ...).
    case user
    /// A thread spawned by another (`{"subagent": {"thread_spawn": {...}}}`).
    case spawned(parentThreadID: String?)
    /// Another kind of sub-agent (`review`, `compact`, `{"other": name}`).
    case subagent(kind: String)

    static func read(from scanner: inout JSONScanner) throws -> ThreadSource {
        var source = ThreadSource.user
        try LogField.object(&scanner) { scanner, key in
            guard LogField.key(key, is: "subagent") else { return try scanner.skipValue() }
            switch try scanner.readScalar() {
            case .string(let kind): source = .subagent(kind: kind)
            case .objectStart:
                source = .subagent(kind: "other")
                try scanner.readObject(openingConsumed: true) { scanner, key, _ in
                    if LogField.key(key, is: "thread_spawn") {
                        var parent: String?
                        try LogField.object(&scanner) { scanner, key in
                            if LogField.key(key, is: "parent_thread_id") { parent = try LogField.string(&scanner) }
                            else { try scanner.skipValue() }
                        }
                        source = .spawned(parentThreadID: parent)
                    } else if LogField.key(key, is: "other") {
                        source = .subagent(kind: try LogField.string(&scanner) ?? "other")
                    } else {
                        source = .subagent(kind: String(decoding: key, as: UTF8.self))
                        try scanner.skipValue()
                    }
                }
            case .arrayStart: try scanner.readArray(openingConsumed: true) { try $0.skipValue() }
            default: break
            }
        }
        return source
    }
}

/// The fields of one rollout line that matter, wherever they appear in it.
private struct RolloutLineFields {
    var timestamp: String?
    var type: String?
    var hasPayload = false
    var payload = PayloadFields()

    mutating func read(key: UnsafeBufferPointer<UInt8>, from scanner: inout JSONScanner) throws {
        if LogField.key(key, is: "timestamp") { timestamp = try LogField.string(&scanner) }
        else if LogField.key(key, is: "type") { type = try LogField.string(&scanner) }
        else if LogField.key(key, is: "payload") {
            hasPayload = true
            try LogField.object(&scanner) { scanner, key in try payload.read(key: key, from: &scanner) }
        } else {
            try scanner.skipValue()
        }
    }
}

/// `payload` of a `session_meta`, `turn_context` or `event_msg` line (their fields do not clash).
private struct PayloadFields {
    var type: String?
    var id: String?
    var cwd: String?
    var cliVersion: String?
    var branch: String?
    var forkedFromID: String?
    /// Where one older build put the spawning thread, outside `source`.
    var parentThreadID: String?
    var source = ThreadSource.user
    var model: String?
    var info: TokenInfoFields?

    mutating func read(key: UnsafeBufferPointer<UInt8>, from scanner: inout JSONScanner) throws {
        if LogField.key(key, is: "type") { type = try LogField.string(&scanner) }
        else if LogField.key(key, is: "id") { id = try LogField.string(&scanner) }
        else if LogField.key(key, is: "cwd") { cwd = try LogField.string(&scanner) }
        else if LogField.key(key, is: "cli_version") { cliVersion = try LogField.string(&scanner) }
        else if LogField.key(key, is: "forked_from_id") { forkedFromID = try LogField.string(&scanner) }
        else if LogField.key(key, is: "parent_thread_id") { parentThreadID = try LogField.string(&scanner) }
        else if LogField.key(key, is: "model") { model = try LogField.string(&scanner) }
        else if LogField.key(key, is: "source") { source = try ThreadSource.read(from: &scanner) }
        else if LogField.key(key, is: "git") {
            try LogField.object(&scanner) { scanner, key in
                if LogField.key(key, is: "branch") { branch = try LogField.string(&scanner) }
                else { try scanner.skipValue() }
            }
        } else if LogField.key(key, is: "info") {
            var fields = TokenInfoFields()
            var isObject = false
            try LogField.object(&scanner) { scanner, key in
                isObject = true
                try fields.read(key: key, from: &scanner)
            }
            // An empty object carries no more than null does.
            if isObject { info = fields }
        } else {
            try scanner.skipValue()
        }
    }
}

/// `payload.info` of a `token_count` event.
private struct TokenInfoFields {
    var total: CodexTokenCounts?
    var last: CodexTokenCounts?

    mutating func read(key: UnsafeBufferPointer<UInt8>, from scanner: inout JSONScanner) throws {
        if LogField.key(key, is: "total_token_usage") { total = try Self.counts(&scanner, "info.total_token_usage") }
        else if LogField.key(key, is: "last_token_usage") { last = try Self.counts(&scanner, "info.last_token_usage") }
        else { try scanner.skipValue() }
    }

    /// A usage object, or `nil` for null (or any value that is not an object).
    private static func counts(_ scanner: inout JSONScanner, _ name: String) throws -> CodexTokenCounts? {
        var counts = CodexTokenCounts()
        var isObject = false
        try LogField.object(&scanner) { scanner, key in
            isObject = true
            if LogField.key(key, is: "input_tokens") { counts.input = try LogField.count(&scanner, name + ".input_tokens") }
            else if LogField.key(key, is: "cached_input_tokens") { counts.cached = try LogField.count(&scanner, name + ".cached_input_tokens") }
            else if LogField.key(key, is: "output_tokens") { counts.output = try LogField.count(&scanner, name + ".output_tokens") }
            else if LogField.key(key, is: "reasoning_output_tokens") {
                counts.reasoning = try LogField.count(&scanner, name + ".reasoning_output_tokens")
            } else {
                try scanner.skipValue()
            }
        }
        return isObject ? counts : nil
    }
}

/// What a rollout's decoder knows after the lines read so far: enough to go on with the next
/// line, and to resume there in a later run.
struct CodexThreadState: Equatable {
    /// Whether the file's own (first) `session_meta` was read.
    var hasOwnMeta = false
    var ownID: String?
    /// The fork family's root, as far as the file has shown it.
    var root: String?
    /// Whether the file's own thread was forked (its root follows the ancestors' metas).
    var isFork = false
    var session: String?
    var subagent: String?
    var cwd: String?
    var branch: String?
    var version: String?
    var model: String?
    /// The cumulative counts after the last counted (or re-emitted) event.
    var previousTotal: CodexTokenCounts?
    /// The previous event's `last_token_usage`, for builds without totals.
    var previousLast: CodexTokenCounts?

    init() {}

    fileprivate mutating func consume(_ line: RolloutLineFields, path: String) -> AgentLogLine {
        // Rollouts from before the envelope: bare session metas and response items, no usage.
        guard line.hasPayload else { return .noUsage }
        let payload = line.payload
        switch line.type {
        case "session_meta":
            take(meta: payload)
            return .noUsage
        case "turn_context":
            if let model = payload.model, !model.isEmpty { self.model = model }
            if let cwd = payload.cwd, !cwd.isEmpty { self.cwd = cwd }
            return .noUsage
        case "event_msg" where payload.type == "token_count":
            return tokenCount(payload.info, timestamp: line.timestamp, path: path)
        default:
            return .noUsage
        }
    }

    private mutating func take(meta: PayloadFields) {
        guard hasOwnMeta else {
            hasOwnMeta = true
            let id = meta.id.flatMap { $0.isEmpty ? nil : $0 }
            ownID = id
            if let parent = meta.forkedFromID, !parent.isEmpty, parent != id {
                isFork = true
                root = parent
            } else {
                root = id
            }
            cwd = meta.cwd.flatMap { $0.isEmpty ? nil : $0 } ?? cwd
            branch = meta.branch.flatMap { $0.isEmpty ? nil : $0 }
            version = meta.cliVersion.flatMap { $0.isEmpty ? nil : $0 }
            session = id
            switch meta.source {
            case .spawned(let parent):
                session = (parent ?? meta.parentThreadID).flatMap { $0.isEmpty ? nil : $0 } ?? id
                subagent = id
            case .subagent(let kind):
                subagent = kind.isEmpty ? "other" : kind
            case .user:
                if let parent = meta.parentThreadID, !parent.isEmpty {
                    session = parent
                    subagent = id
                }
            }
            return
        }
        // A replayed ancestor's meta: it only tells how far up the family goes.
        if isFork, let id = meta.id, id == root, let parent = meta.forkedFromID, !parent.isEmpty, parent != id {
            root = parent
        }
    }

    private mutating func tokenCount(_ info: TokenInfoFields?, timestamp: String?, path: String) -> AgentLogLine {
        // `info: null`: a rate-limit update.
        guard let info else { return .noUsage }
        let delta: CodexTokenCounts
        let cumulative: CodexTokenCounts
        if let total = info.total {
            let previous = previousTotal ?? .zero
            if total == previousTotal {
                if let last = info.last { previousLast = last }
                return .noUsage
            }
            cumulative = total
            delta = total.hasDecreased(from: previous) ? (info.last ?? total) : total - previous
        } else if let last = info.last {
            if last == previousLast { return .noUsage }
            delta = last
            cumulative = (previousTotal ?? .zero) + last
        } else {
            return .skipped(reason: "a token_count event with neither total_token_usage nor last_token_usage")
        }
        guard delta != .zero else {
            advance(to: cumulative, last: info.last)
            return .noUsage
        }
        // Checked before the state moves: a line skipped leaves its usage to the next event's delta.
        guard let timestamp, let milliseconds = Timestamp.parseMilliseconds(timestamp) else {
            return .skipped(reason: timestamp.map { "timestamp \"\($0)\" is not an ISO 8601 time" } ?? "a token_count event without a timestamp")
        }
        let usage = delta.usage
        if let inconsistency = usage.inconsistency { return .skipped(reason: "token_count usage: \(inconsistency)") }
        advance(to: cumulative, last: info.last)

        var record = CallRecord(
            timestamp: Date(timeIntervalSince1970: 0), provider: AgentLogSource.codex.provider, model: model ?? "unknown")
        record.epochMilliseconds = milliseconds
        record.agent = AgentLogSource.codex.agentName
        record.session = session
        record.requestID = (root ?? path) + ":" + cumulative.key
        record.usage = usage
        var tags: [String: String] = ["source": path]
        if let cwd { tags["project"] = cwd }
        if let branch { tags["branch"] = branch }
        if let version { tags["agent_version"] = version }
        if let subagent { tags["subagent"] = subagent }
        record.tags = tags
        return .request(record)
    }

    private mutating func advance(to cumulative: CodexTokenCounts, last: CodexTokenCounts?) {
        previousTotal = cumulative
        if let last { previousLast = last }
    }
}

// MARK: - Saved state

extension CodexThreadState {
    private static let formatVersion: Int64 = 1

    /// A JSON object of the fields that are set (`v` is the format's version).
    var encoded: [UInt8] {
        var writer = JSONWriter()
        writer.raw("{\"v\":")
        writer.integer(Self.formatVersion)
        func string(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            writer.raw(",\"")
            writer.raw(name)
            writer.raw("\":")
            writer.string(value)
        }
        func counts(_ name: StaticString, _ value: CodexTokenCounts?) {
            guard let value else { return }
            writer.raw(",\"")
            writer.raw(name)
            writer.raw("\":[")
            writer.raw(value.key)
            writer.raw("]")
        }
        if hasOwnMeta { writer.raw(",\"meta\":true") }
        if isFork { writer.raw(",\"fork\":true") }
        string("own", ownID)
        string("root", root)
        string("session", session)
        string("subagent", subagent)
        string("cwd", cwd)
        string("branch", branch)
        string("version", version)
        string("model", model)
        counts("total", previousTotal)
        counts("last", previousLast)
        writer.raw("}")
        return writer.bytes
    }

    /// The state `encoded` wrote, or `nil` for anything else (a run then starts afresh).
    init?(encoded bytes: [UInt8]) {
        var state = CodexThreadState()
        var version: Int64?
        let readable: Bool = bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            do {
                try scanner.readObject { scanner, key, _ in
                    func counts() throws -> CodexTokenCounts? {
                        var values: [Int64] = []
                        try scanner.readArray { values.append(try LogField.count(&$0, "state")) }
                        guard let counts = CodexTokenCounts(components: values) else { throw LogField.Invalid(description: "state counts") }
                        return counts
                    }
                    if LogField.key(key, is: "v") { version = try LogField.count(&scanner, "v") }
                    else if LogField.key(key, is: "meta") { state.hasOwnMeta = try LogField.flag(&scanner) }
                    else if LogField.key(key, is: "fork") { state.isFork = try LogField.flag(&scanner) }
                    else if LogField.key(key, is: "own") { state.ownID = try LogField.string(&scanner) }
                    else if LogField.key(key, is: "root") { state.root = try LogField.string(&scanner) }
                    else if LogField.key(key, is: "session") { state.session = try LogField.string(&scanner) }
                    else if LogField.key(key, is: "subagent") { state.subagent = try LogField.string(&scanner) }
                    else if LogField.key(key, is: "cwd") { state.cwd = try LogField.string(&scanner) }
                    else if LogField.key(key, is: "branch") { state.branch = try LogField.string(&scanner) }
                    else if LogField.key(key, is: "version") { state.version = try LogField.string(&scanner) }
                    else if LogField.key(key, is: "model") { state.model = try LogField.string(&scanner) }
                    else if LogField.key(key, is: "total") { state.previousTotal = try counts() }
                    else if LogField.key(key, is: "last") { state.previousLast = try counts() }
                    else { try scanner.skipValue() }
                }
                scanner.skipWhitespace()
                return scanner.isAtEnd
            } catch {
                return false
            }
        }
        guard readable, version == Self.formatVersion else { return nil }
        self = state
    }
}
