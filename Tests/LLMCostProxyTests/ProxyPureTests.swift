import Foundation
import LLMCostTestSupport
import LLMCost
@testable import LLMCostProxy
import Testing

/// The proxy's pure parts, apart from any I/O: routing, reading a request for the meter,
/// attribution headers, and the usage tap fed byte by byte and all at once.
@Suite struct ProxyPureTests {
    static let types = ["anthropic": "anthropic", "openai": "openai", "work": "openai", "claude-work": "anthropic", "az": "azure"]

    @Test func pathsRouteToTheirProviderAndOnlyTheKnownCallsAreMetered() {
        let cases: [(String, ProxyRoute?)] = [
            ("/v1/messages", ProxyRoute(provider: "anthropic", upstreamPath: "/v1/messages", billing: .metered(.anthropicMessages))),
            ("/v1/messages/count_tokens", ProxyRoute(provider: "anthropic", upstreamPath: "/v1/messages/count_tokens", billing: .free)),
            ("/anthropic/v1/messages", ProxyRoute(provider: "anthropic", upstreamPath: "/v1/messages", billing: .metered(.anthropicMessages))),
            ("/v1/chat/completions", ProxyRoute(provider: "openai", upstreamPath: "/v1/chat/completions", billing: .metered(.openAIChat))),
            ("/openai/v1/responses", ProxyRoute(provider: "openai", upstreamPath: "/v1/responses", billing: .metered(.openAIResponses))),
            ("/v1/embeddings", ProxyRoute(provider: "openai", upstreamPath: "/v1/embeddings", billing: .metered(.openAIChat))),
            ("/v1/models", ProxyRoute(provider: "openai", upstreamPath: "/v1/models", billing: .unmetered)),
            ("/p/work/chat/completions", ProxyRoute(provider: "work", upstreamPath: "/chat/completions", billing: .metered(.openAIChat))),
            ("/p/claude-work/v1/messages", ProxyRoute(provider: "claude-work", upstreamPath: "/v1/messages", billing: .metered(.anthropicMessages))),
            ("/p/az/openai/deployments/gpt4o-prod/chat/completions", ProxyRoute(
                provider: "az", upstreamPath: "/openai/deployments/gpt4o-prod/chat/completions", billing: .metered(.openAIChat),
                pathModel: "gpt4o-prod")),
            ("/p/unknown/v1/messages", nil),
            ("/p/work", nil),
            ("/healthz2", nil),
            ("/", nil),
        ]
        for (path, expected) in cases {
            #expect(ProxyRoute.resolve(path: path, providerTypes: Self.types) == expected, "\(path)")
        }
    }

    /// Every endpoint that bills is metered or held back; only those that never bill are free.
    @Test func billedEndpointsTheMeterCannotReadAreNeverFree() {
        let cases: [(String, String, ProxyRoute.Billing)] = [
            ("/v1/completions", "openai", .metered(.openAIChat)),
            ("/v1/chat/completions/", "openai", .metered(.openAIChat)),
            ("/V1/Chat/Completions", "openai", .metered(.openAIChat)),
            ("/v1/chat/completions", "anthropic", .metered(.openAIChat)),
            ("/v1/images/generations", "openai", .unmetered),
            ("/v1/audio/speech", "openai", .unmetered),
            ("/v1/audio/transcriptions", "openai", .unmetered),
            ("/v1/batches", "openai", .unmetered),
            ("/v1/fine_tuning/jobs", "openai", .unmetered),
            ("/v1/threads/runs", "openai", .unmetered),
            ("/v1/messages/batches", "anthropic", .unmetered),
            ("/v1/complete", "anthropic", .unmetered),
            ("/v1/batches/batch_1/cancel", "openai", .free),
            ("/v1/messages/batches/b_1/cancel", "anthropic", .free),
            ("/v1/moderations", "openai", .free),
            ("/v1/responses/input_tokens", "openai", .free),
            ("/v1/files", "openai", .free),
            ("/v1/uploads/upl_1/parts", "openai", .free),
            ("/v1/chat/completions/chatcmpl-1", "openai", .free),
            ("/v1/responses/compact", "openai", .metered(.openAIResponses)),
            ("/v1/vector_stores/vs_1/files", "openai", .unmetered),
            ("/v1/containers/c_1/files", "openai", .free),
            ("/openai/deployments/uploads/images/generations", "azure", .unmetered),
            ("/v1/conversations/conv_1/items", "openai", .free),
            ("/v1/threads/th_1/messages", "openai", .free),
            ("/v1/threads/th_1/runs", "openai", .unmetered),
            ("/v1/threads/runs", "openai", .unmetered),
            ("/v1/evals", "openai", .free),
            ("/v1/evals/ev_1/runs", "openai", .unmetered),
            ("/v1/skills", "anthropic", .free),
            ("/v1/messages/count_tokens", "anthropic", .free),
            ("/api/generate", "ollama", .free),
            ("/v1/chat/completions", "ollama", .metered(.openAIChat)),
        ]
        for (path, type, expected) in cases {
            #expect(ProxyRoute.billing(path, type: type) == expected, "\(type) \(path)")
        }
    }

    @Test func pathsAreReadAsTheUpstreamReadsThem() {
        let cases: [(String, String?)] = [
            ("/v1/%63hat/completions", "/v1/chat/completions"),
            ("/v1/messages/.", "/v1/messages/"),
            ("/v1//messages", "/v1/messages"),
            ("/v1/x/../messages", "/v1/messages"),
            ("/v1/messages/", "/v1/messages/"),
            ("/", "/"),
            ("/v1/chat%2Fcompletions", nil),
            ("/v1/%5Cmessages", nil),
            ("/v1/a%3Fb", nil),
            ("/v1/%2525", nil),
            ("/../v1/messages", nil),
            ("/v1/%ZZ", nil),
            ("/v1/a%00b", nil),
            ("v1/messages", nil),
        ]
        for (path, expected) in cases {
            #expect(ProxyPath.normalize(path) == expected, "\(path)")
        }
        #expect(ProxyPath.escaped("/v1/files/a b") == "/v1/files/a%20b")
    }

    @Test func anUnmeteredCallIsRefusedOnlyWhileABlockBudgetCoversIt() {
        let limit = Money(nanoUSD: 1_000_000)
        let budgets = [
            BudgetDefinition(name: "soft", limit: limit, action: .warn),
            BudgetDefinition(name: "ci", scope: .agent("ci"), limit: limit, action: .block),
            BudgetDefinition(name: "sonnet", scope: .model("claude-sonnet-4-5"), limit: limit, action: .block),
        ]
        let policy = UnmeteredPolicy.refuseUnderBlock
        #expect(policy.refusal(provider: "openai", model: "gpt-image-1", attribution: MeteringContext(), budgets: budgets) == nil)
        #expect(policy.refusal(provider: "openai", model: "gpt-image-1", attribution: MeteringContext(agent: "ci"), budgets: budgets)?
            .contains(#""ci""#) == true)
        // A body that names no model may be any model.
        #expect(policy.refusal(provider: "anthropic", model: nil, attribution: MeteringContext(), budgets: budgets)?.contains("sonnet") == true)
        #expect(UnmeteredPolicy.allow.refusal(provider: "openai", model: nil, attribution: MeteringContext(agent: "ci"), budgets: budgets) == nil)
        #expect(UnmeteredPolicy.refuse.refusal(provider: "openai", model: "m", attribution: MeteringContext(), budgets: []) != nil)
    }

    @Test func accessTokensHeldKeysAndKeyAgentsDecideFromTheHeadersAlone() throws {
        var access = ProxyAccess()
        #expect(access.admit(provider: "openai", headers: []) == .admitted(agent: nil))
        try access.addKeyAgents(["sha256:" + String(ProxyAccess.digest("sk-alice").prefix(16)) + "=alice"], setting: "proxy.key_agents")
        #expect(access.admit(provider: "openai", headers: [("authorization", "Bearer sk-alice")]) == .admitted(agent: "alice"))
        #expect(access.admit(provider: "anthropic", headers: [("x-api-key", "sk-alice")]) == .admitted(agent: "alice"))
        #expect(access.admit(provider: "openai", headers: [("authorization", "Bearer sk-bob")]) == .admitted(agent: nil))
        try access.addTokens(text: "# comment\n\ntok-ci-0123456789abcdef ci-bot  # the CI\ntok-any-0123456789abcdef\n", source: "tokens")
        access.heldKeys["openai"] = .init(headerName: "authorization", headerValue: "Bearer sk-real")
        // Where the proxy holds the key, the client's key is its token.
        #expect(access.admit(provider: "openai", headers: [("authorization", "Bearer tok-ci-0123456789abcdef")]) == .admitted(agent: "ci-bot"))
        #expect(access.admit(provider: "openai", headers: [("authorization", "Bearer sk-alice")]) != .admitted(agent: "alice"))
        // Elsewhere the token has a header of its own; a token without an agent leaves the key's.
        #expect(access.admit(provider: "anthropic", headers: [("x-api-key", "tok-ci-0123456789abcdef")]) != .admitted(agent: "ci-bot"))
        #expect(access.admit(provider: "anthropic", headers: [("x-api-key", "sk-alice"), ("x-llm-cost-token", "tok-any-0123456789abcdef")])
            == .admitted(agent: "alice"))
        #expect(access.admit(provider: nil, headers: [("authorization", "Bearer tok-any-0123456789abcdef")]) == .admitted(agent: nil))
        // A decoy key beside the real one does not choose the agent: two keys are refused.
        #expect(access.admit(provider: "openai", headers: [("x-api-key", "junk"), ("authorization", "Bearer tok-ci-0123456789abcdef")])
            != .admitted(agent: "ci-bot"))
        // Bad lines say where.
        let emptyFile = FileManager.default.temporaryDirectory.appendingPathComponent("empty-tokens-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: emptyFile, contents: Data("# none yet\n".utf8), attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(atPath: emptyFile) }
        var fresh = ProxyAccess()
        #expect(throws: ProxyAccess.SettingsError.self) { try fresh.addTokens(file: emptyFile) }
        for (text, expected) in [("short x\n", "tokens:1: a token needs at least 16"), ("\na b c\n", "tokens:2: expected `TOKEN [AGENT]`")] {
            #expect(throws: ProxyAccess.SettingsError.self) { try access.addTokens(text: text, source: "tokens") }
            do { try access.addTokens(text: text, source: "tokens") } catch { #expect("\(error)".hasPrefix(expected), "\(error)") }
        }
        for entry in ["nohash", "abc=x", "sha256:" + String(repeating: "g", count: 20) + "=x", String(repeating: "a", count: 20) + "="] {
            #expect(throws: ProxyAccess.SettingsError.self, "\(entry)") { try access.addKeyAgents([entry], setting: "proxy.key_agents") }
        }
        #expect(ProxyAccess.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func storedContextsForgetTheOldestFirst() {
        let contexts = StoredContexts(capacity: 3)
        for (index, id) in ["a", "b", "c", "d"].enumerated() { contexts.remember(id, tokens: Int64(index + 1)) }
        #expect(contexts.tokens(for: "a") == nil && contexts.tokens(for: "b") == 2 && contexts.tokens(for: "d") == 4)
        for index in 0..<20 { contexts.remember("x\(index)", tokens: 1) }
        #expect(contexts.tokens(for: "x19") == 1 && contexts.tokens(for: "x16") == nil && contexts.tokens(for: "x17") == 1)
        let continuing = MeteredRequest(body: Array(#"{"model":"m","input":"go on","previous_response_id":"resp_1"}"#.utf8), protocol: .openAIResponses)
        #expect(continuing?.continuesStoredState == true && continuing?.previousResponseID == "resp_1")
        let inConversation = MeteredRequest(body: Array(#"{"model":"m","input":"x","conversation":"conv_1"}"#.utf8), protocol: .openAIResponses)
        #expect(inConversation?.continuesStoredState == true && inConversation?.previousResponseID == nil)
    }

    @Test func upstreamURLsShareAV1SegmentAndKeepTheQuery() {
        #expect(ProxyRoute.upstreamURL(base: "https://api.openai.com/v1", path: "/v1/chat/completions", query: nil)
            == "https://api.openai.com/v1/chat/completions")
        #expect(ProxyRoute.upstreamURL(base: "https://api.anthropic.com/", path: "/v1/messages", query: "beta=true")
            == "https://api.anthropic.com/v1/messages?beta=true")
        #expect(ProxyRoute.upstreamURL(base: "http://box:8000/v1", path: "/models", query: "") == "http://box:8000/v1/models")
        #expect(ProxyRoute.upstreamURL(base: "http://box:8000/v1x", path: "/v1/models", query: nil) == "http://box:8000/v1x/v1/models")
    }

    @Test func aRequestIsReadForItsModelStreamLimitAndPrompt() throws {
        let anthropic = try #require(MeteredRequest(body: Array(#"""
            {"model":"claude-sonnet-4-5","max_tokens":300,"stream":true,"system":[{"type":"text","text":"Be brief."}],
             "messages":[{"role":"user","content":[{"type":"text","text":"Hello"}]}],"tools":[{"name":"lookup","description":"Finds"}]}
            """#.utf8), protocol: .anthropicMessages))
        #expect(anthropic.model == "claude-sonnet-4-5" && anthropic.stream && anthropic.maxOutputTokens == 300)
        #expect(anthropic.promptText.contains("Be brief.") && anthropic.promptText.contains("Hello") && anthropic.promptText.contains("Finds"))
        let chat = try #require(MeteredRequest(body: Array(#"{"model":"gpt-5","max_completion_tokens":50,"max_tokens":10,"messages":[]}"#.utf8), protocol: .openAIChat))
        #expect(chat.maxOutputTokens == 50 && !chat.stream)
        let responses = try #require(MeteredRequest(body: Array(#"{"model":"gpt-5","input":"Hi","max_output_tokens":-4}"#.utf8), protocol: .openAIResponses))
        #expect(responses.maxOutputTokens == 0 && responses.promptText == "Hi")
        // Images are counted as images, not as the text of their data; `n` choices each may run to the limit.
        let withImage = try #require(MeteredRequest(body: Array(#"""
            {"model":"gpt-4o","n":3,"max_tokens":100,"messages":[{"role":"user","content":[{"type":"text","text":"What is it?"},
             {"type":"image_url","image_url":{"url":"data:image/png;base64,\#(String(repeating: "QUFB", count: 50_000))"}}]}]}
            """#.utf8), protocol: .openAIChat))
        #expect(withImage.imageCount == 1 && withImage.choices == 3 && withImage.promptText.contains("What is it?") && !withImage.promptText.contains("QUFB"))
        let azure = try #require(MeteredRequest(body: Array(#"{"messages":[]}"#.utf8), protocol: .openAIChat, pathModel: "gpt4o-prod"))
        #expect(azure.model == "gpt4o-prod")
        // The deployment is what Azure serves, whatever model the body names.
        #expect(MeteredRequest(body: Array(#"{"model":"gpt-4o-mini"}"#.utf8), protocol: .openAIChat, pathModel: "gpt4o-prod")?.model == "gpt4o-prod")
        // Limits from outside are clamped: the worst case multiplies them.
        #expect(MeteredRequest(body: Array(#"{"model":"m","max_tokens":4611686018427387904,"n":2}"#.utf8), protocol: .openAIChat)?
            .maxOutputTokens == Int(Int32.max))
        #expect(MeteredRequest(body: Array(#"{"model":"m","input":"x","background":true}"#.utf8), protocol: .openAIResponses)?.runsInBackground == true)
        let legacy = try #require(MeteredRequest(body: Array(#"{"model":"gpt-3.5-turbo-instruct","prompt":"Say hi","best_of":4,"n":2}"#.utf8), protocol: .openAIChat))
        #expect(legacy.promptText == "Say hi" && legacy.choices == 4)
        // Token ids count one token each, not as nothing.
        let ids = try #require(MeteredRequest(body: Array(#"{"model":"text-embedding-3-small","input":[[1,2,3],[4,5]]}"#.utf8), protocol: .openAIChat))
        #expect(ids.tokenIDCount == 5)
        if case .counted(let tokens, _) = ids.meterInput { #expect(tokens == 5) } else { Issue.record("token ids estimated as text") }
        // Not a JSON object with a model: relayed unmetered, the upstream answers.
        for bad in ["", "[]", "{}", #"{"model":""}"#, #"{"model":7}"#, "{\"model\":\"x\"", "\u{FF}\u{FE}"] {
            #expect(MeteredRequest(body: Array(bad.utf8), protocol: .openAIChat) == nil, "\(bad)")
        }
    }

    @Test func attributionCanRideInTheBaseURL() {
        let (context, path) = ProxyAttribution.splitPath("/@agent=codex,session=run%207,team=infra,bad,=x/v1/chat/completions")
        #expect(context == MeteringContext(agent: "codex", session: "run 7", tags: ["team": "infra"]))
        #expect(path == "/v1/chat/completions")
        #expect(ProxyAttribution.splitPath("/v1/messages") == (MeteringContext(), "/v1/messages"))
        #expect(ProxyAttribution.splitPath("/@agent=a").path == "/")
    }

    @Test func attributionComesFromTheProxysOwnHeaders() {
        let context = ProxyAttribution.context(headers: [
            ("X-LLM-Cost-Agent", "coder"), ("x-llm-cost-session", "s-9"), ("x-llm-cost-tags", "team = search, env=dev,broken,=x"),
            ("authorization", "Bearer secret"),
        ])
        #expect(context == MeteringContext(agent: "coder", session: "s-9", tags: ["team": "search", "env": "dev"]))
        #expect(ProxyAttribution.isOwnHeader("X-LLM-Cost-Tags") && !ProxyAttribution.isOwnHeader("x-api-key"))
    }

    /// The Anthropic SDK's recorded streams, fed in one piece and byte by byte: the same usage.
    @Test func theUsageTapReadsRecordedStreamsTheSameHoweverTheBytesAreSplit() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/wire/anthropic")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".txt") }.sorted()
        #expect(names.count >= 5)
        for name in names {
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            var whole = UsageTap(protocol: .anthropicMessages, provider: "anthropic", streaming: true)
            whole.consume(bytes)
            let wholeOutcome = whole.finish()
            var split = UsageTap(protocol: .anthropicMessages, provider: "anthropic", streaming: true)
            for byte in bytes { split.consume(CollectionOfOne(byte)) }
            #expect(split.finish() == wholeOutcome, "\(name)")
        }
        var basic = UsageTap(protocol: .anthropicMessages, provider: "anthropic", streaming: true)
        basic.consume(Array(try Data(contentsOf: folder.appendingPathComponent("basic_response.txt"))))
        let outcome = basic.finish()
        #expect(outcome.usage?.inputTokens == 11 && outcome.usage?.outputTokens == 6)
        #expect(outcome.receivedText == "Hello there!" && outcome.completed && !outcome.failed)
    }

    @Test func aStreamCutShortKeepsItsUsageAndIsNotComplete() {
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":40,"output_tokens":1}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Partial"}}


            """
        var tap = UsageTap(protocol: .anthropicMessages, provider: "anthropic", streaming: true)
        tap.consume(Array(stream.utf8))
        let outcome = tap.finish()
        #expect(outcome.usage?.inputTokens == 40 && !outcome.completed && outcome.receivedText == "Partial")
    }

    @Test func wholeBodiesAreReadAsTheAdaptersReadUsage() {
        var chat = UsageTap(protocol: .openAIChat, provider: "openai", streaming: false)
        let body = #"{"id":"chatcmpl-1","usage":{"prompt_tokens":120,"completion_tokens":30,"prompt_tokens_details":{"cached_tokens":100},"completion_tokens_details":{"reasoning_tokens":10}}}"#
        for byte in body.utf8 { chat.consume(CollectionOfOne(byte)) }
        let outcome = chat.finish()
        #expect(outcome.usage == Usage(inputTokens: 20, outputTokens: 30, cacheReadTokens: 100, reasoningTokens: 10))
        #expect(outcome.responseID == "chatcmpl-1")
        var error = UsageTap(protocol: .anthropicMessages, provider: "anthropic", streaming: false)
        error.consume(Array(#"{"type":"error","error":{"type":"overloaded_error","message":"busy"}}"#.utf8))
        #expect(error.finish().usage == nil)
    }

    @Test func aStreamedChatRequestAsksForUsageWithItsOtherBytesUnchanged() throws {
        let body = Array(" {\"model\":\"gpt-5\",\"stream\":true,\"temperature\":0.70,\"messages\":[]}".utf8)
        let request = try #require(MeteredRequest(body: body, protocol: .openAIChat))
        let rewritten = try #require(StreamUsageRequest.addingIncludeUsage(to: body, request: request))
        #expect(String(decoding: rewritten, as: UTF8.self)
            == " {\"stream_options\":{\"include_usage\":true},\"model\":\"gpt-5\",\"stream\":true,\"temperature\":0.70,\"messages\":[]}")
        // Not streamed, or the client chose its stream options: left as sent.
        let unstreamed = Array(#"{"model":"gpt-5","messages":[]}"#.utf8)
        #expect(StreamUsageRequest.addingIncludeUsage(to: unstreamed, request: try #require(MeteredRequest(body: unstreamed, protocol: .openAIChat))) == nil)
        let chosen = Array(#"{"model":"gpt-5","stream":true,"stream_options":{"include_usage":false},"messages":[]}"#.utf8)
        #expect(StreamUsageRequest.addingIncludeUsage(to: chosen, request: try #require(MeteredRequest(body: chosen, protocol: .openAIChat))) == nil)
    }

    @Test func theUsageChunkIsRemovedAndEveryOtherEventPassesHoweverTheBytesAreSplit() {
        let events = [
            "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n",
            "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\r\n\r\n",
            "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\n",
            ": keep-alive\n\n",
            "data: [DONE]\n\n",
        ]
        let stream = Array(events.joined().utf8)
        let expected = Array((events[0] + events[1] + events[3] + events[4]).utf8)
        var whole = UsageChunkRemover()
        #expect(whole.pass(stream) + whole.finish() == expected)
        var split = UsageChunkRemover()
        var out: [UInt8] = []
        for byte in stream { out += split.pass(CollectionOfOne(byte)) }
        #expect(out + split.finish() == expected)
        // An unterminated last event is passed on at the end, as it came.
        var cut = UsageChunkRemover()
        #expect(cut.pass(Array("data: {\"choices\":[]".utf8)).isEmpty)
        #expect(cut.finish() == Array("data: {\"choices\":[]".utf8))
    }

    @Test func metricLabelsFromClientsAreBounded() throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let metrics = ProxyMetrics()
        for index in 0..<(ProxyMetrics.maximumValuesPerLabel + 50) {
            var call = CallRecord(timestamp: Date(), provider: "openai", model: "model-\(index)")
            call.usage = Usage(inputTokens: 3, outputTokens: 2)
            call.cost = Money(nanoUSD: 1_000)
            call.latencyMilliseconds = 12
            metrics.record(call)
        }
        let text = metrics.exposition(meter: Meter(ledger: ledger, pricing: nil))
        let models = Set(text.split(separator: "\n").filter { $0.hasPrefix("llm_cost_proxy_requests_total{") }
            .compactMap { $0.firstMatch(of: #/model="([^"]*)"/#).map { String($0.output.1) } })
        #expect(models.count == ProxyMetrics.maximumValuesPerLabel + 1 && models.contains("other"))
        #expect(text.contains(#"llm_cost_proxy_requests_total{provider="openai",model="other",agent="",status="ok"} 50"#))
        #expect(text.contains(#"llm_cost_proxy_tokens_total{provider="openai",model="model-0",agent="",type="input"} 3"#))
    }
}
