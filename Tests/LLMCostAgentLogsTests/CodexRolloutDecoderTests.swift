import Testing
import LLMCostAgentLogs
import LLMCostCore

/// Codex CLI rollout lines, written from the documented format (`{timestamp, type, payload}`);
/// the ids are made up.
enum Rollout {
    /// Cumulative or per-request counts in Codex's shape (cached inside input, reasoning inside output).
    struct Counts: Equatable {
        var input: Int64
        var cached: Int64
        var output: Int64
        var reasoning: Int64

        var json: String {
            #"{"input_tokens":\#(input),"cached_input_tokens":\#(cached),"output_tokens":\#(output),"reasoning_output_tokens":\#(reasoning),"total_tokens":\#(input + output)}"#
        }

        /// What the ledger should hold for these counts, worked out here and not by the decoder.
        var usage: Usage {
            Usage(inputTokens: input - cached, outputTokens: output, cacheReadTokens: cached, reasoningTokens: reasoning)
        }

        static func - (lhs: Counts, rhs: Counts) -> Counts {
            Counts(input: lhs.input - rhs.input, cached: lhs.cached - rhs.cached, output: lhs.output - rhs.output, reasoning: lhs.reasoning - rhs.reasoning)
        }

        static func + (lhs: Counts, rhs: Counts) -> Counts {
            Counts(input: lhs.input + rhs.input, cached: lhs.cached + rhs.cached, output: lhs.output + rhs.output, reasoning: lhs.reasoning + rhs.reasoning)
        }

        func requestID(root: String) -> String { "\(root):\(input),\(cached),\(output),\(reasoning)" }
    }

    /// `second` seconds after 10:00 on a day in March 2026.
    static func time(_ second: Int) -> String {
        func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "2026-03-01T10:\(twoDigits(second / 60)):\(twoDigits(second % 60)).250Z"
    }

    static func meta(
        id: String, forkedFrom: String? = nil, source: String = #""cli""#, cwd: String = "/Users/dev/shop",
        branch: String = "main", version: String = "0.120.0", second: Int = 0
    ) -> String {
        let fork = forkedFrom.map { #","forked_from_id":"\#($0)""# } ?? ""
        return #"{"timestamp":"\#(time(second))","type":"session_meta","payload":{"id":"\#(id)","timestamp":"\#(time(second))","cwd":"\#(cwd)","originator":"codex_cli_rs","cli_version":"\#(version)","instructions":null,"source":\#(source),"model_provider":"openai"\#(fork),"git":{"branch":"\#(branch)","commit_hash":"9f8e7d"}}}"#
    }

    static func turnContext(model: String, cwd: String = "/Users/dev/shop", second: Int = 1) -> String {
        #"{"timestamp":"\#(time(second))","type":"turn_context","payload":{"cwd":"\#(cwd)","approval_policy":"on-request","sandbox_policy":{"mode":"workspace-write"},"model":"\#(model)","effort":"medium","summary":"auto"}}"#
    }

    static func tokenCount(total: Counts?, last: Counts?, second: Int) -> String {
        var info: [String] = []
        if let total { info.append(#""total_token_usage":\#(total.json)"#) }
        if let last { info.append(#""last_token_usage":\#(last.json)"#) }
        info.append(#""model_context_window":272000"#)
        return #"{"timestamp":"\#(time(second))","type":"event_msg","payload":{"type":"token_count","info":{\#(info.joined(separator: ","))},"rate_limits":{"primary":{"used_percent":12.5}}}}"#
    }

    static func heartbeat(second: Int) -> String {
        #"{"timestamp":"\#(time(second))","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{"primary":{"used_percent":13.0}}}}"#
    }

    static func userMessage(_ text: String, second: Int) -> String {
        #"{"timestamp":"\#(time(second))","type":"event_msg","payload":{"type":"user_message","message":"\#(text)","images":[]}}"#
    }

    static func responseItem(second: Int) -> String {
        #"{"timestamp":"\#(time(second))","type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Done: \"ok\"\n"}]}}"#
    }
}

/// A family of threads: a parent, a fork of it that goes on past the fork point, the parent
/// going on too, and a fork of the fork.
enum ForkFamily {
    static let parentID = "019a0001-0000-7000-8000-00000000aaaa"
    static let forkID = "019a0002-0000-7000-8000-00000000bbbb"
    static let grandchildID = "019a0003-0000-7000-8000-00000000cccc"

    static let step1 = Rollout.Counts(input: 12_000, cached: 6_900, output: 600, reasoning: 450)
    static let step2 = Rollout.Counts(input: 30_500, cached: 24_100, output: 1_450, reasoning: 1_000)
    /// The parent's own request after the fork was made.
    static let parentStep3 = Rollout.Counts(input: 52_000, cached: 41_000, output: 2_100, reasoning: 1_300)
    /// The fork's own requests, continuing from `step2`.
    static let forkStep3 = Rollout.Counts(input: 49_000, cached: 37_000, output: 2_000, reasoning: 1_200)
    static let forkStep4 = Rollout.Counts(input: 73_000, cached: 60_000, output: 2_600, reasoning: 1_500)
    /// The grandchild's own request, continuing from `forkStep4`.
    static let grandchildStep5 = Rollout.Counts(input: 95_000, cached: 80_000, output: 3_000, reasoning: 1_700)

    /// The parent's history up to the fork point, as written in its file and replayed in forks.
    static var parentHistory: [String] {
        [
            Rollout.turnContext(model: "gpt-5-codex", second: 1),
            Rollout.userMessage("add a cart", second: 2),
            Rollout.tokenCount(total: step1, last: step1, second: 5),
            Rollout.tokenCount(total: step1, last: step1, second: 6),  // re-emit
            Rollout.heartbeat(second: 7),
            Rollout.responseItem(second: 8),
            Rollout.tokenCount(total: step2, last: step2 - step1, second: 20),
        ]
    }

    static var parent: [String] {
        [Rollout.meta(id: parentID)] + parentHistory + [
            Rollout.userMessage("and a checkout", second: 60),
            Rollout.tokenCount(total: parentStep3, last: parentStep3 - step2, second: 70),
        ]
    }

    /// The fork's own lines after the replay.
    static var forkOwn: [String] {
        [
            Rollout.turnContext(model: "o3", second: 100),
            Rollout.tokenCount(total: forkStep3, last: forkStep3 - step2, second: 110),
            Rollout.tokenCount(total: forkStep3, last: forkStep3 - step2, second: 111),  // re-emit
            Rollout.tokenCount(total: forkStep4, last: forkStep4 - forkStep3, second: 130),
        ]
    }

    static var fork: [String] {
        [Rollout.meta(id: forkID, forkedFrom: parentID, second: 90), Rollout.meta(id: parentID)] + parentHistory + forkOwn
    }

    static var grandchild: [String] {
        [
            Rollout.meta(id: grandchildID, forkedFrom: forkID, branch: "spike", second: 200),
            Rollout.meta(id: forkID, forkedFrom: parentID, second: 90),
            Rollout.meta(id: parentID),
        ] + parentHistory + forkOwn + [
            Rollout.turnContext(model: "gpt-5-codex", second: 210),
            Rollout.tokenCount(total: grandchildStep5, last: grandchildStep5 - forkStep4, second: 220),
        ]
    }
}

@Suite struct CodexRolloutDecoderTests {
    static let path = "/home/dev/.codex/sessions/2026/03/01/rollout-2026-03-01T10-00-00-x.jsonl"

    @Test func deltasOfCumulativeTotalsSkipReemitsAndHeartbeats() {
        let outcomes = CodexRolloutDecoder.outcomes(path: Self.path, lines: ForkFamily.parent)
        #expect(outcomes.map(\.records.count) == [0, 0, 0, 1, 0, 0, 0, 1, 0, 1])
        let records = outcomes.records
        #expect(records.map(\.usage) == [
            ForkFamily.step1.usage, (ForkFamily.step2 - ForkFamily.step1).usage, (ForkFamily.parentStep3 - ForkFamily.step2).usage,
        ])
        #expect(sum(records) == ForkFamily.parentStep3.usage)
        #expect(records.map(\.requestID) == [
            ForkFamily.step1.requestID(root: ForkFamily.parentID), ForkFamily.step2.requestID(root: ForkFamily.parentID),
            ForkFamily.parentStep3.requestID(root: ForkFamily.parentID),
        ])
        for record in records {
            #expect(record.provider == "openai")
            #expect(record.agent == "codex")
            #expect(record.model == "gpt-5-codex")
            #expect(record.session == ForkFamily.parentID)
            #expect(record.tags == ["source": Self.path, "project": "/Users/dev/shop", "branch": "main", "agent_version": "0.120.0"])
        }
        #expect(records.first?.epochMilliseconds == Timestamp.parseMilliseconds("2026-03-01T10:00:05.250Z"))
    }

    @Test func theModelIsTheLatestTurnContextsAndUnknownBeforeAny() {
        let first = Rollout.Counts(input: 100, cached: 0, output: 10, reasoning: 0)
        let second = first + Rollout.Counts(input: 200, cached: 50, output: 20, reasoning: 5)
        let third = second + Rollout.Counts(input: 300, cached: 100, output: 30, reasoning: 10)
        let lines = [
            Rollout.meta(id: "019a0100-0000-7000-8000-000000000001"),
            Rollout.tokenCount(total: first, last: first, second: 2),
            Rollout.turnContext(model: "gpt-5", cwd: "/Users/dev/other", second: 3),
            Rollout.tokenCount(total: second, last: second - first, second: 4),
            Rollout.turnContext(model: "o4-mini", second: 5),
            Rollout.tokenCount(total: third, last: third - second, second: 6),
        ]
        let records = CodexRolloutDecoder.outcomes(path: Self.path, lines: lines).records
        #expect(records.map(\.model) == ["unknown", "gpt-5", "o4-mini"])
        #expect(records.map { $0.tags["project"] } == ["/Users/dev/shop", "/Users/dev/other", "/Users/dev/shop"])
    }

    @Test func aCounterThatWentDownCountsTheLastUsage() {
        let t1 = Rollout.Counts(input: 1_000, cached: 500, output: 100, reasoning: 10)
        let t2 = Rollout.Counts(input: 3_000, cached: 2_000, output: 300, reasoning: 40)
        let restarted = Rollout.Counts(input: 800, cached: 0, output: 50, reasoning: 0)
        let t4 = Rollout.Counts(input: 1_800, cached: 700, output: 120, reasoning: 5)
        // Only the output went down: a restart too, without a last usage (the total is the step).
        let t5 = Rollout.Counts(input: 2_500, cached: 900, output: 90, reasoning: 5)
        let lines = [
            Rollout.meta(id: "019a0200-0000-7000-8000-000000000002"),
            Rollout.turnContext(model: "gpt-5"),
            Rollout.tokenCount(total: t1, last: t1, second: 2),
            Rollout.tokenCount(total: t2, last: t2 - t1, second: 3),
            Rollout.tokenCount(total: restarted, last: restarted, second: 4),
            Rollout.tokenCount(total: t4, last: t4 - restarted, second: 5),
            Rollout.tokenCount(total: t5, last: nil, second: 6),
        ]
        let records = CodexRolloutDecoder.outcomes(path: Self.path, lines: lines).records
        #expect(records.map(\.usage) == [t1.usage, (t2 - t1).usage, restarted.usage, (t4 - restarted).usage, t5.usage])
        #expect(Set(records.compactMap(\.requestID)).count == 5)
    }

    @Test func withoutTotalsTheLastUsageCountsUnlessRepeated() {
        let a = Rollout.Counts(input: 900, cached: 300, output: 80, reasoning: 20)
        let b = Rollout.Counts(input: 1_200, cached: 1_000, output: 40, reasoning: 0)
        let lines = [
            Rollout.meta(id: "019a0300-0000-7000-8000-000000000003"),
            Rollout.turnContext(model: "gpt-5"),
            Rollout.tokenCount(total: nil, last: a, second: 2),
            Rollout.tokenCount(total: nil, last: a, second: 3),  // the same numbers again: a re-emit
            Rollout.tokenCount(total: nil, last: b, second: 4),
            Rollout.tokenCount(total: nil, last: a, second: 5),  // a new request that happens to match an older one
        ]
        let outcomes = CodexRolloutDecoder.outcomes(path: Self.path, lines: lines)
        #expect(outcomes[3] == .noUsage)
        let records = outcomes.records
        #expect(records.map(\.usage) == [a.usage, b.usage, a.usage])
        let root = "019a0300-0000-7000-8000-000000000003"
        #expect(records.map(\.requestID) == [a.requestID(root: root), (a + b).requestID(root: root), (a + b + a).requestID(root: root)])
    }

    /// The parent's file and its fork's file: the fork's replay of the parent's history gets the
    /// parent's request ids, its own requests new ones, and the ledger's sum is the family's.
    @Test func aForksReplayedRequestsHaveTheParentsIDs() {
        let parent = CodexRolloutDecoder.outcomes(path: "/p/parent.jsonl", lines: ForkFamily.parent).records
        let fork = CodexRolloutDecoder.outcomes(path: "/p/fork.jsonl", lines: ForkFamily.fork).records
        let parentIDs = Set(parent.compactMap(\.requestID))
        let forkIDs = Set(fork.compactMap(\.requestID))
        let replayed = [ForkFamily.step1, ForkFamily.step2].map { $0.requestID(root: ForkFamily.parentID) }
        #expect(parentIDs.intersection(forkIDs) == Set(replayed))
        #expect(forkIDs.subtracting(parentIDs) == Set([ForkFamily.forkStep3, ForkFamily.forkStep4].map { $0.requestID(root: ForkFamily.parentID) }))
        // The replayed copies carry the same usage as the originals: no larger copy to prefer.
        for id in replayed {
            #expect(parent.first { $0.requestID == id }?.usage == fork.first { $0.requestID == id }?.usage)
        }
        // The fork's requests are its own session's, and its new ones use the fork's model.
        #expect(fork.allSatisfy { $0.session == ForkFamily.forkID })
        #expect(fork.suffix(2).map(\.model) == ["o3", "o3"])
        // Worked out from the totals: the parent reached parentStep3; the fork added what it
        // did past the fork point (step2).
        let expected = ForkFamily.parentStep3.usage + (ForkFamily.forkStep4 - ForkFamily.step2).usage
        #expect(sum(ledgerView(parent + fork).values) == expected)
        #expect(sum(ledgerView(fork + parent).values) == expected)
    }

    @Test func aForkOfAForkIsKeyedByTheFamilysRoot() {
        let parent = CodexRolloutDecoder.outcomes(path: "/p/parent.jsonl", lines: ForkFamily.parent).records
        let fork = CodexRolloutDecoder.outcomes(path: "/p/fork.jsonl", lines: ForkFamily.fork).records
        let grandchild = CodexRolloutDecoder.outcomes(path: "/p/grandchild.jsonl", lines: ForkFamily.grandchild).records
        #expect(grandchild.allSatisfy { $0.requestID?.hasPrefix(ForkFamily.parentID + ":") == true })
        #expect(grandchild.allSatisfy { $0.session == ForkFamily.grandchildID && $0.tags["branch"] == "spike" })
        let forkIDs = Set(fork.compactMap(\.requestID))
        let grandchildIDs = Set(grandchild.compactMap(\.requestID))
        #expect(forkIDs.isSubset(of: grandchildIDs))
        #expect(grandchildIDs.subtracting(forkIDs) == [ForkFamily.grandchildStep5.requestID(root: ForkFamily.parentID)])
        let expected = ForkFamily.parentStep3.usage + (ForkFamily.grandchildStep5 - ForkFamily.step2).usage
        #expect(sum(ledgerView(grandchild + fork + parent).values) == expected)
        #expect(sum(ledgerView(parent + grandchild).values) == expected)
    }

    @Test func aSpawnedSubagentThreadCountsFromZeroUnderItsParentsSession() {
        let own = "019a0400-0000-7000-8000-000000000004"
        let spawner = "019a0401-0000-7000-8000-000000000005"
        let source = #"{"subagent":{"thread_spawn":{"parent_thread_id":"\#(spawner)","depth":1,"agent_nickname":"Ada","agent_role":"explorer"}}}"#
        let t1 = Rollout.Counts(input: 4_000, cached: 0, output: 300, reasoning: 200)
        let t2 = Rollout.Counts(input: 9_000, cached: 3_900, output: 500, reasoning: 260)
        let lines = [
            Rollout.meta(id: own, source: source),
            Rollout.turnContext(model: "gpt-5-codex-mini"),
            Rollout.tokenCount(total: t1, last: t1, second: 3),
            Rollout.tokenCount(total: t2, last: t2 - t1, second: 9),
        ]
        let records = CodexRolloutDecoder.outcomes(path: Self.path, lines: lines).records
        #expect(records.map(\.usage) == [t1.usage, (t2 - t1).usage])
        #expect(records.allSatisfy { $0.session == spawner && $0.tags["subagent"] == own })
        #expect(records.map(\.requestID) == [t1.requestID(root: own), t2.requestID(root: own)])
    }

    @Test(arguments: [
        (#"{"subagent":"compact"}"#, "compact"), (#"{"subagent":"review"}"#, "review"),
        (#"{"subagent":{"other":"guardian"}}"#, "guardian"), (#""vscode""#, nil),
    ] as [(String, String?)])
    func otherSourcesAreTaggedWithTheirKind(source: String, subagent: String?) {
        let id = "019a0500-0000-7000-8000-000000000006"
        let t1 = Rollout.Counts(input: 10, cached: 0, output: 1, reasoning: 0)
        let lines = [Rollout.meta(id: id, source: source), Rollout.tokenCount(total: t1, last: t1, second: 2)]
        let record = CodexRolloutDecoder.outcomes(path: Self.path, lines: lines).records.first
        #expect(record?.session == id)
        // A bare string source is the client (`cli`, `vscode`, ...), not a sub-agent.
        #expect(record?.tags["subagent"] == subagent)
    }

    @Test func rolloutsWithoutTheEnvelopeCarryNoUsage() {
        let lines = [
            #"{"id":"5973b6c0-94b8-487b-a530-2aeb6098ae0e","timestamp":"2025-08-01T12:00:00.000Z","instructions":null,"git":{"branch":"main"}}"#,
            #"{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}"#,
            #"{"record_type":"state"}"#,
        ]
        #expect(CodexRolloutDecoder.outcomes(path: Self.path, lines: lines) == [.noUsage, .noUsage, .noUsage])
    }

    @Test(arguments: [
        ("this is not json", "not a JSON object"),
        (#"{"timestamp":"2026-03-01T10:00:02.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":-5}}}}"#,
         "info.total_token_usage.input_tokens is not a whole non-negative number"),
        (#"{"timestamp":"2026-03-01T10:00:02.000Z","type":"event_msg","payload":{"type":"token_count","info":{"last_token_usage":{"output_tokens":1.5}}}}"#,
         "info.last_token_usage.output_tokens is not a whole non-negative number"),
        (#"{"timestamp":"2026-03-01T10:00:02.000Z","type":"event_msg","payload":{"type":"token_co"#, "not a JSON object"),
        (#"{"timestamp":"2026-03-01T10:00:02.000Z","type":"turn_context","payload":{}} {"#, "text after the JSON object"),
        (#"{"type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":777}}}}"#,
         "a token_count event without a timestamp"),
        (#"{"timestamp":"yesterday","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":777}}}}"#,
         "timestamp \"yesterday\" is not an ISO 8601 time"),
        (#"{"timestamp":"2026-03-01T10:00:02.000Z","type":"event_msg","payload":{"type":"token_count","info":{"model_context_window":1}}}"#,
         "a token_count event with neither total_token_usage nor last_token_usage"),
    ])
    func malformedLinesAreSkippedWithTheirReasonAndChangeNothing(line: String, reason: String) {
        let t1 = Rollout.Counts(input: 100, cached: 40, output: 10, reasoning: 0)
        let t2 = Rollout.Counts(input: 250, cached: 140, output: 30, reasoning: 7)
        let lines = [
            Rollout.meta(id: "019a0600-0000-7000-8000-000000000007"),
            Rollout.tokenCount(total: t1, last: t1, second: 1),
            line,
            Rollout.tokenCount(total: t2, last: t2 - t1, second: 3),
        ]
        let outcomes = CodexRolloutDecoder.outcomes(path: Self.path, lines: lines)
        #expect(outcomes[2].skipReason?.contains(reason) == true, "\(outcomes[2])")
        #expect(outcomes.records.map(\.usage) == [t1.usage, (t2 - t1).usage])
    }

    static let resumeFixtures: [[String]] = [
        ForkFamily.parent,
        ForkFamily.grandchild,
        [
            Rollout.meta(id: "019a0700-0000-7000-8000-000000000008", source: #"{"subagent":{"thread_spawn":{"parent_thread_id":"p-1","depth":2}}}"#),
            "not json at all",
            Rollout.tokenCount(total: Rollout.Counts(input: 50, cached: 10, output: 5, reasoning: 1), last: nil, second: 1),
            Rollout.turnContext(model: "gpt-5"),
            Rollout.tokenCount(total: nil, last: Rollout.Counts(input: 70, cached: 0, output: 9, reasoning: 0), second: 2),
            Rollout.tokenCount(total: nil, last: Rollout.Counts(input: 70, cached: 0, output: 9, reasoning: 0), second: 3),
            Rollout.tokenCount(total: Rollout.Counts(input: 20, cached: 0, output: 2, reasoning: 0), last: nil, second: 4),
            Rollout.heartbeat(second: 5),
            Rollout.tokenCount(total: Rollout.Counts(input: 90, cached: 30, output: 12, reasoning: 3), last: nil, second: 6),
        ],
    ]

    @Test(arguments: resumeFixtures)
    func resumingFromTheSavedStateAtAnyLineGivesTheSameRequests(lines: [String]) {
        #expect(firstResumeMismatch(CodexRolloutDecoder.self, path: Self.path, lines: lines) == nil)
    }

    @Test func anUnreadableStateStartsAfresh() {
        let fresh = CodexRolloutDecoder.outcomes(path: Self.path, lines: ForkFamily.fork)
        for state in [Array("garbage".utf8), [], Array(#"{"v":99,"root":"x"}"#.utf8), Array(#"{"v":1,"total":[1,2]}"#.utf8)] {
            #expect(CodexRolloutDecoder.outcomes(path: Self.path, lines: ForkFamily.fork, resumingFrom: state) == fresh)
        }
    }
}
