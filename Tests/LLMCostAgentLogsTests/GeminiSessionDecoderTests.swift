import Foundation
import Testing
import LLMCostAgentLogs
import LLMCostCore

/// Gemini CLI session records, written from the documented formats; the ids are made up.
enum GeminiSession {
    static let sessionID = "d1e2f3a4-1111-4222-8333-444455556666"
    static let projectHash = String(repeating: "5f1c", count: 16)

    /// `tokens` as Gemini CLI writes it: input includes cached, output excludes thoughts.
    struct Tokens {
        var input: Int64
        var output: Int64
        var cached: Int64
        var thoughts: Int64
        var tool: Int64

        var total: Int64 { input + output + thoughts + tool }
        var json: String {
            #"{"input":\#(input),"output":\#(output),"cached":\#(cached),"thoughts":\#(thoughts),"tool":\#(tool),"total":\#(total)}"#
        }
    }

    static func metadata(sessionID: String = sessionID, kind: String? = "main") -> String {
        let kindField = kind.map { #","kind":"\#($0)""# } ?? ""
        return #"{"sessionId":"\#(sessionID)","projectHash":"\#(projectHash)","startTime":"2026-05-22T14:59:00.000Z","lastUpdated":"2026-05-22T14:59:00.000Z"\#(kindField)}"#
    }

    static func user(id: String, second: Int) -> String {
        #"{"id":"\#(id)","timestamp":"2026-05-22T15:00:\#(second < 10 ? "0" : "")\#(second).000Z","type":"user","content":[{"text":"make it \"faster\""}]}"#
    }

    static func gemini(id: String, second: Int, tokens: Tokens?, model: String? = "gemini-2.5-pro") -> String {
        let modelField = model.map { #","model":"\#($0)""# } ?? ""
        return #"{"id":"\#(id)","timestamp":"2026-05-22T15:00:\#(second < 10 ? "0" : "")\#(second).000Z","type":"gemini","content":[{"text":"done"}],"thoughts":[{"subject":"plan","description":"..."}],"tokens":\#(tokens?.json ?? "null")\#(modelField),"toolCalls":[{"id":"t1","name":"read_file","args":{"path":"a.txt"},"status":"success"}]}"#
    }

    static let first = Tokens(input: 8_120, output: 45, cached: 6_000, thoughts: 210, tool: 0)
    static let second = Tokens(input: 9_400, output: 310, cached: 8_000, thoughts: 0, tool: 120)
    static let third = Tokens(input: 12_000, output: 77, cached: 0, thoughts: 1_500, tool: 35)

    /// A legacy `session-*.json`: one pretty-printed document.
    static var legacyDocument: String {
        """
        {
          "sessionId": "\(sessionID)",
          "projectHash": "\(projectHash)",
          "startTime": "2026-05-22T14:59:00.000Z",
          "lastUpdated": "2026-05-22T15:00:30.000Z",
          "messages": [
            {
              "id": "m1",
              "timestamp": "2026-05-22T15:00:01.000Z",
              "type": "user",
              "content": [{"text": "<session_context>\\nsome context\\n</session_context>"}]
            },
            {
              "id": "m2",
              "timestamp": "2026-05-22T15:00:02.000Z",
              "type": "gemini",
              "content": [{"text": "hello"}],
              "thoughts": [],
              "tokens": \(first.json),
              "model": "gemini-2.5-pro"
            },
            {"id": "m3", "timestamp": "2026-05-22T15:00:03.000Z", "type": "info", "content": "Switched model"},
            {"id": "m4", "timestamp": "2026-05-22T15:00:04.000Z", "type": "gemini", "content": [], "tokens": null, "model": "gemini-2.5-flash"},
            {
              "id": "m5",
              "timestamp": "2026-05-22T15:00:05.000Z",
              "type": "gemini",
              "content": [{"text": "bye"}],
              "tokens": \(second.json),
              "model": "gemini-2.5-flash"
            }
          ]
        }
        """
    }

    /// The `.jsonl` copy Gemini CLI writes of the legacy document when the session is resumed, and what follows.
    static var resumedJSONL: [String] {
        [
            metadata(),
            user(id: "m1", second: 1),
            gemini(id: "m2", second: 2, tokens: first),
            gemini(id: "m5", second: 5, tokens: second, model: "gemini-2.5-flash"),
            user(id: "m6", second: 40),
            gemini(id: "m7", second: 41, tokens: nil),
            #"{"$set":{"lastUpdated":"2026-05-22T15:00:41.500Z"}}"#,
            gemini(id: "m7", second: 41, tokens: third),
            #"{"$rewindTo":"m6"}"#,
            #"{"$set":{"lastUpdated":"2026-05-22T15:00:50.000Z","messages":[\#(gemini(id: "m2", second: 2, tokens: first)),\#(user(id: "m6", second: 40)),\#(gemini(id: "m7", second: 41, tokens: third))]}}"#,
        ]
    }
}

@Suite struct GeminiSessionDecoderTests {
    static let path = "/home/dev/.gemini/tmp/shop/chats/session-2026-05-22T14-59-d1e2f3a4.jsonl"

    static func decoder(path: String = path, project: String? = nil) -> GeminiSessionDecoder {
        GeminiSessionDecoder(path: path, resumingFrom: nil, project: project)
    }

    static func outcomes(_ lines: [String], path: String = path, project: String? = nil) -> [Outcome] {
        var decoder = decoder(path: path, project: project)
        return lines.map { decoder.decode($0) }
    }

    @Test func aLegacyDocumentYieldsEveryBilledMessage() {
        var decoder = Self.decoder(path: "/home/dev/.gemini/tmp/shop/chats/session-2026-05-22T14-59-d1e2f3a4.json", project: "/src/shop")
        let outcome = decoder.decode(GeminiSession.legacyDocument)
        guard case .requests(let records) = outcome else {
            Issue.record("expected requests, got \(outcome)")
            return
        }
        #expect(records.map(\.requestID) == ["\(GeminiSession.sessionID)/m2", "\(GeminiSession.sessionID)/m5"])
        #expect(records.map(\.model) == ["gemini-2.5-pro", "gemini-2.5-flash"])
        #expect(records.map(\.epochMilliseconds) == [
            Timestamp.parseMilliseconds("2026-05-22T15:00:02.000Z"), Timestamp.parseMilliseconds("2026-05-22T15:00:05.000Z"),
        ].compactMap { $0 })
        for record in records {
            #expect(record.provider == "google")
            #expect(record.agent == "gemini-cli")
            #expect(record.session == GeminiSession.sessionID)
            #expect(record.tags == ["source": "/home/dev/.gemini/tmp/shop/chats/session-2026-05-22T14-59-d1e2f3a4.json", "project": "/src/shop"])
        }
    }

    @Test func jsonlRecordsReappendedPatchedAndRewound() {
        let outcomes = Self.outcomes(GeminiSession.resumedJSONL)
        let id = GeminiSession.sessionID
        #expect(outcomes.map(\.description) == [
            "noUsage", "noUsage", "request \(id)/m2", "request \(id)/m5", "noUsage",
            "noUsage",  // m7 before its tokens were attached
            "noUsage", "request \(id)/m7",
            "noUsage",  // $rewindTo: rewound requests stay billed
            "requests [\"\(id)/m2\", \"\(id)/m7\"]",
        ])
        // The `.json` it was resumed from and the `.jsonl` copy: one request each, counted once.
        var legacy = Self.decoder(path: "/home/dev/.gemini/tmp/shop/chats/session-2026-05-22T14-59-d1e2f3a4.json")
        let legacyRecords = legacy.decode(GeminiSession.legacyDocument).records
        let kept = ledgerView(legacyRecords + outcomes.records)
        #expect(Set(kept.values.compactMap(\.requestID)) == Set(["m2", "m5", "m7"].map { "\(id)/\($0)" }))
        let expected = [GeminiSession.first, GeminiSession.second, GeminiSession.third].reduce(Int64(0)) { $0 + $1.total }
        #expect(sum(kept.values).totalTokens == expected)
    }

    /// The ledger's usage from `tokens`, worked out by hand for each case.
    @Test(arguments: [
        // input, output, cached, thoughts, tool -> ledger input, cache read, output, reasoning
        ([8_120, 45, 6_000, 210, 0], [2_120, 6_000, 255, 210]),
        ([9_400, 310, 8_000, 0, 120], [1_520, 8_000, 310, 0]),
        ([12_000, 77, 0, 1_500, 35], [12_035, 0, 1_577, 1_500]),
        ([100, 0, 100, 0, 0], [0, 100, 0, 0]),
        ([50, 10, 80, 0, 0], [0, 50, 10, 0]),  // cached above input: clamped
    ] as [([Int64], [Int64])])
    func tokensMapToTheLedgersDisjointCounts(counts: [Int64], expected: [Int64]) {
        let tokens = GeminiSession.Tokens(input: counts[0], output: counts[1], cached: counts[2], thoughts: counts[3], tool: counts[4])
        let outcomes = Self.outcomes([GeminiSession.metadata(), GeminiSession.gemini(id: "m9", second: 9, tokens: tokens)])
        let usage = outcomes.records.first?.usage
        #expect(usage == Usage(inputTokens: expected[0], outputTokens: expected[2], cacheReadTokens: expected[1], reasoningTokens: expected[3]))
        if counts[2] <= counts[0] { #expect(usage?.totalTokens == tokens.total) }
    }

    @Test func zeroTokensAndOtherMessageTypesAreNotBilled() {
        let lines = [
            GeminiSession.metadata(),
            GeminiSession.gemini(id: "m1", second: 1, tokens: GeminiSession.Tokens(input: 0, output: 0, cached: 0, thoughts: 0, tool: 0)),
            #"{"id":"m2","timestamp":"2026-05-22T15:00:02.000Z","type":"error","content":"quota","tokens":{"input":5}}"#,
            GeminiSession.gemini(id: "m3", second: 3, tokens: GeminiSession.first, model: nil),
        ]
        let outcomes = Self.outcomes(lines)
        #expect(outcomes.map(\.records.count) == [0, 0, 0, 1])
        #expect(outcomes.records.first?.model == "unknown")
    }

    @Test func aSubagentsFileIsAttributedToItsParentSession() {
        let parent = GeminiSession.sessionID
        let own = "a9b8c7d6-0000-4000-8000-0000000000ff"
        let path = "/home/dev/.gemini/tmp/shop/chats/\(parent)/\(own).jsonl"
        let lines = [GeminiSession.metadata(sessionID: own, kind: "subagent"), GeminiSession.gemini(id: "s1", second: 7, tokens: GeminiSession.third)]
        let record = Self.outcomes(lines, path: path).records.first
        #expect(record?.requestID == "\(own)/s1")
        #expect(record?.session == parent)
        #expect(record?.tags["subagent"] == own)
        // The metadata's parent, when it names one, wins over the directory.
        let named = [#"{"sessionId":"\#(own)","kind":"subagent","parentSessionId":"p-42"}"#, GeminiSession.gemini(id: "s1", second: 7, tokens: GeminiSession.third)]
        #expect(Self.outcomes(named, path: path).records.first?.session == "p-42")
    }

    @Test func resumingFromTheSavedStateAtAnyLineGivesTheSameRequests() {
        #expect(firstResumeMismatch(GeminiSessionDecoder.self, path: Self.path, lines: GeminiSession.resumedJSONL) == nil)
        let subagent = [
            GeminiSession.metadata(sessionID: "sub-1", kind: "subagent"), GeminiSession.gemini(id: "s1", second: 1, tokens: GeminiSession.first),
        ]
        #expect(firstResumeMismatch(GeminiSessionDecoder.self, path: Self.path, lines: subagent) == nil)
    }

    @Test(arguments: [
        ("{not json", "not a JSON object"),
        (#"{"id":"m1","timestamp":"2026-05-22T15:00:01.000Z","type":"gemini","tokens":{"input":-3}}"#, "tokens.input is not a whole non-negative number"),
        (#"{"id":"m1","timestamp":"noon","type":"gemini","tokens":{"input":3}}"#, #"message "m1": timestamp "noon" is not an ISO 8601 time"#),
        (#"{"timestamp":"2026-05-22T15:00:01.000Z","type":"gemini","tokens":{"input":3}}"#, "a gemini message: no id"),
        (#"{"$set":{"messages":[{"id":"m1","type":"gemini","tokens":{"input":3}}]}}"#, #"message "m1": no timestamp"#),
        (#"{"id":"m1"} []"#, "text after the JSON object"),
    ])
    func malformedRecordsAreSkippedWithTheirReason(line: String, reason: String) {
        let outcomes = Self.outcomes([GeminiSession.metadata(), line])
        #expect(outcomes[1].skipReason?.contains(reason) == true, "\(outcomes[1])")
    }

    @Test func aBilledMessageBeforeTheMetadataIsSkipped() {
        let outcomes = Self.outcomes([GeminiSession.gemini(id: "m1", second: 1, tokens: GeminiSession.first)])
        #expect(outcomes[0].skipReason?.contains("no sessionId") == true)
    }

    @Test func theProjectIsReadFromProjectRootOrTheRegistry() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gemini-project-\(UInt64.random(in: 0...UInt64.max))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let tmp = base + "/.gemini/tmp"
        for directory in ["shop/chats", "blog-1/chats/parent-1", "lost/chats"] {
            try FileManager.default.createDirectory(atPath: tmp + "/" + directory, withIntermediateDirectories: true)
        }
        try "/Users/dev/src/shop\n".write(toFile: tmp + "/shop/.project_root", atomically: true, encoding: .utf8)
        try #"{"projects":{"/Users/dev/src/shop":"shop","/Users/dev/src/blog":"blog-1"}}"#
            .write(toFile: base + "/.gemini/projects.json", atomically: true, encoding: .utf8)

        #expect(GeminiSessionDecoder.projectRoot(ofLogAt: tmp + "/shop/chats/session-a.jsonl") == "/Users/dev/src/shop")
        #expect(GeminiSessionDecoder.projectRoot(ofLogAt: tmp + "/blog-1/chats/parent-1/sub.jsonl") == "/Users/dev/src/blog")
        #expect(GeminiSessionDecoder.projectRoot(ofLogAt: tmp + "/lost/chats/session-b.json") == nil)
        #expect(GeminiSessionDecoder.projectRoot(ofLogAt: "/elsewhere/session-c.jsonl") == nil)

        // The protocol's initializer looks it up and tags every request with it.
        var decoder = GeminiSessionDecoder(path: tmp + "/shop/chats/session-a.jsonl", resumingFrom: nil)
        _ = decoder.decode(GeminiSession.metadata())
        let record = decoder.decode(GeminiSession.gemini(id: "m1", second: 1, tokens: GeminiSession.first)).records.first
        #expect(record?.tags["project"] == "/Users/dev/src/shop")
    }

    @Test func anUnreadableStateStartsAfresh() {
        let line = GeminiSession.gemini(id: "m1", second: 1, tokens: GeminiSession.first)
        for state in [Array("{".utf8), Array(#"{"v":1}"#.utf8), Array(#"{"v":2,"session":"x"}"#.utf8)] {
            var decoder = GeminiSessionDecoder(path: Self.path, resumingFrom: state, project: nil)
            #expect(decoder.decode(line).skipReason != nil)
        }
    }
}
