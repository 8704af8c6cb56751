import Foundation
import LLMCostCore
import LLMCostSimulator
import LLMCostTestSupport
import Testing

/// `llm-cost proxy`, the built binary, in front of the simulator: the official Python SDKs and
/// curl as its clients, the ledger read back with sqlite3.
@Suite struct ProxyCLITests {
    /// Whether the official SDKs can be imported (`.ci/run` installs them; elsewhere
    /// `pip install openai anthropic`).
    static let sdksAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import openai, anthropic"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static let sdkClient = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/proxy_sdk_client.py").path

    /// What the SDK client printed.
    struct SDKOutcome: Decodable {
        var text: String?
        var input_tokens: Int64?
        var output_tokens: Int64?
        var error: String?
        var status: Int?
        var should_retry: String?
        var requests: Int
        var usage_chunks: Int?
        var complete: Int?
        var body: [String: JSONValue]?
    }

    enum JSONValue: Decodable {
        case string(String), object([String: JSONValue]), other
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .string(text) }
            else if let object = try? container.decode([String: JSONValue].self) { self = .object(object) }
            else { self = .other }
        }
        subscript(key: String) -> JSONValue? { if case .object(let object) = self { object[key] } else { nil } }
        var string: String? { if case .string(let text) = self { text } else { nil } }
    }

    static func runSDK(_ mode: String, base: String, agent: String, home: URL) async throws -> SDKOutcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", sdkClient, mode, base, agent]
        process.environment = ["HOME": home.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let result = try await onOwnThread { try CLIRunner.capture(process, home: home) }
        #expect(result.status == 0, "\(mode): \(result.stderr)")
        return try JSONDecoder().decode(SDKOutcome.self, from: Data(result.stdout.utf8))
    }

    @Test(.enabled(if: sdksAvailable, "needs the official SDKs: pip install openai anthropic"))
    func theOfficialSDKsCallThroughTheProxyAndEveryCallIsRecordedAsTheyReadIt() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        let modes = ["anthropic-stream", "anthropic-create", "openai-stream", "openai-create", "openai-responses"]
        for mode in modes {
            let base = proxy.baseURL + (mode.hasPrefix("openai") ? "/v1" : "")
            let outcome = try await Self.runSDK(mode, base: base, agent: "sdk", home: proxy.home)
            #expect(outcome.error == nil, "\(mode): \(outcome)")
            #expect(outcome.requests == 1, "\(mode)")
            #expect(outcome.text?.hasPrefix("Simulated reply to:") == true, "\(mode): \(outcome)")
            // The call as the ledger holds it: the usage the SDK parsed, attributed from the headers.
            let expected = "\(outcome.input_tokens ?? -1)|\(outcome.output_tokens ?? -1)|0|sdk|{\"client\":\"python\",\"mode\":\"\(mode)\"}|1"
            let row = try await proxy.sql("""
                SELECT c.input_tokens + c.cache_read_tokens, c.output_tokens, c.status, a.name, t.tags, c.cost_nano > 0
                FROM calls c JOIN names s ON s.id = c.session_id JOIN names a ON a.id = c.agent_id
                JOIN tag_sets t ON t.id = c.tag_set_id WHERE s.name = 'sdk-\(mode)'
                """, becoming: expected)
            #expect(row == expected, "\(mode): ledger \(row), SDK \(outcome)")
        }
        // A stream that did not ask for usage: the proxy asks for it, records it as reported,
        // and the client never sees the chunk.
        let plain = try await Self.runSDK("openai-stream-plain", base: proxy.baseURL + "/v1", agent: "sdk", home: proxy.home)
        #expect(plain.error == nil && plain.usage_chunks == 0 && plain.text?.hasPrefix("Simulated reply to:") == true, "\(plain)")
        let reported = try await proxy.sql("""
            SELECT c.usage_estimated, c.output_tokens > 0 FROM calls c JOIN names s ON s.id = c.session_id
            WHERE s.name = 'sdk-openai-stream-plain'
            """, becoming: "0|1")
        #expect(reported == "0|1", "ledger: \(reported)")
        let asked = try #require(proxy.simulator.requests.last?.json?["stream_options"] as? [String: Any])
        #expect(asked["include_usage"] as? Bool == true)

        // The clients' keys went upstream but were never written down.
        let ledgerBytes = try Data(contentsOf: URL(fileURLWithPath: proxy.ledger))
        for key in ["sk-ant-test-key", "sk-openai-test-key"] {
            #expect(ledgerBytes.range(of: Data(key.utf8)) == nil, "\(key) in the ledger")
            #expect(!proxy.standardError.contains(key), "\(key) in the proxy's output")
        }
        #expect(proxy.simulator.requests.contains { $0.headers["authorization"] == "Bearer sk-ant-test-key" })
        #expect(!proxy.simulator.requests.contains { $0.headers.keys.contains { $0.hasPrefix("x-llm-cost-") } })
    }

    @Test(.enabled(if: sdksAvailable, "needs the official SDKs: pip install openai anthropic"))
    func aBudgetRefusalIsA429TheSDKsDoNotRetryAndNothingGoesUpstream() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        for (mode, path, type) in [("anthropic-create", "", "rate_limit_error"), ("openai-create", "/v1", "insufficient_quota")] {
            let outcome = try await Self.runSDK(mode, base: proxy.baseURL + path, agent: "capped", home: proxy.home)
            #expect(outcome.error == "RateLimitError" && outcome.status == 429, "\(mode): \(outcome)")
            #expect(outcome.should_retry == "false" && outcome.requests == 1, "\(mode): the SDK retried: \(outcome)")
            // The Anthropic SDK keeps the whole body; the OpenAI SDK the `error` object inside it.
            let error = mode.hasPrefix("anthropic") ? outcome.body?["error"] : outcome.body.map(JSONValue.object)
            #expect(error?["type"]?.string == type, "\(mode): \(outcome)")
            let message = error?["message"]?.string ?? ""
            #expect(message.contains("budget \"capped\" refused the call") && message.contains("it resets at"), "\(mode): \(message)")
        }
        #expect(proxy.simulator.requests.isEmpty, "a refused call reached the upstream")
        #expect(try proxy.sql("SELECT count(*) FROM calls") == "0")
        // Both refusals counted, and the budget's room as the ledger has it.
        let metrics = try await proxy.get("/metrics")
        #expect(metrics.contains(#"llm_cost_proxy_requests_total{provider="anthropic",model="claude-sonnet-4-5",agent="capped",status="refused"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"llm_cost_proxy_requests_total{provider="openai",model="gpt-4o-mini",agent="capped",status="refused"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"llm_cost_budget_remaining_usd{budget="capped",action="block"} 1e-06"#), "\(metrics)")
    }

    @Test(.enabled(if: sdksAvailable, "needs the official SDKs: pip install openai anthropic"))
    func fiftyConcurrentStreamsAllArriveWholeAndAreEachRecordedOnce() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        let outcome = try await Self.runSDK("openai-concurrent-50", base: proxy.baseURL + "/v1", agent: "many", home: proxy.home)
        #expect(outcome.error == nil && outcome.complete == 50 && outcome.requests == 50, "\(outcome)")
        let row = try await proxy.sql("""
            SELECT count(*), count(DISTINCT c.session_id), sum(c.usage_estimated), min(c.output_tokens) > 0 FROM calls c
            JOIN names a ON a.id = c.agent_id WHERE a.name = 'many' AND c.status = 0
            """, becoming: "50|50|0|1", within: .seconds(20))
        // Once in about 6 runs one stream was recorded `cancelled`: its SDK closed the connection
        // at `[DONE]` while the upstream's last bytes were in flight. A stream that reached its end
        // is now ok whoever hangs up first (0 in 12 runs of 50 since).
        #expect(row == "50|50|0|1", "\(proxy.standardError)")
    }

    @Test func eventsReachTheClientAsTheUpstreamSendsThem() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        // The upstream goes silent for 800 ms after its first two events.
        let times = try await proxy.streamStalling(afterEvents: 2, for: .milliseconds(800))
        // Relayed as it arrives: the first event long before the last (buffering would deliver them together).
        let first = try #require(times.first)
        let last = try #require(times.last)
        #expect(last - first >= 0.6, "events arrived \(times)")
        #expect(try await proxy.sql("SELECT status, output_tokens FROM calls", becoming: "0|5") == "0|5")
    }

    @Test func anUpstreamCutMidStreamEndsTheClientsResponseAndIsRecordedAsAnError() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        var reply = SimulatedReply.text(["one ", "two ", "three"])
        reply.cutAfterEvents = 3
        proxy.simulator.enqueue(reply)
        let started = ContinuousClock.now
        _ = try await proxy.curlEventTimes(path: "/v1/messages", body: """
            {"model":"claude-sonnet-4-5","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}
            """, maxTime: 10)
        // curl is told at once, not left waiting for an end (it would give up after 10 s).
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(try await proxy.sql("SELECT status, input_tokens FROM calls", becoming: "1|10") == "1|10")
    }

    @Test func aClientThatLeavesMidStreamIsRecordedAsCancelled() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        // The upstream goes silent for longer than the test waits: only cancelling it records the call in time.
        _ = try? await proxy.streamStalling(afterEvents: 3, for: .seconds(8), hangUpAfter: 0.5)
        var row = ""
        let deadline = ContinuousClock.now + .seconds(4)
        while row.isEmpty && ContinuousClock.now < deadline {
            row = try proxy.sql("SELECT status, input_tokens, cost_nano > 0 FROM calls")
            if row.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        // Cancelled, with the input the upstream reported in its first event.
        #expect(row == "2|10|1", "ledger: \(row)")
    }

    @Test func onSIGTERMAStreamInFlightHasItsGraceThenIsCutAndRecordedAsCancelled() async throws {
        let proxy = try await RunningProxy.start(extraConfig: "[proxy]\nshutdown_grace_ms = 300")
        defer { proxy.stop() }
        let stream = Task { try await proxy.streamStalling(afterEvents: 3, for: .seconds(8)) }
        while proxy.simulator.requests.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(200))
        let signalled = ContinuousClock.now
        kill(proxy.process.processIdentifier, SIGTERM)
        let process = proxy.process
        await onOwnThread { process.waitUntilExit() }
        // Out after its grace, not after the upstream's 8 seconds.
        #expect(ContinuousClock.now - signalled < .seconds(4))
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(proxy.standardError)")
        #expect(try proxy.sql("SELECT status, input_tokens FROM calls") == "2|10")
        _ = try? await stream.value
    }

    @Test func meteredCallsShareAKeptAliveConnection() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let url = proxy.baseURL + "/v1/chat/completions"
        let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#
        // Two transfers in one curl: the second reuses the first's connection (no new connect).
        let transfer = ["-s", "-o", "/dev/null", "-w", "%{http_code}:%{num_connects}\n", "-H", "content-type: application/json", "-d", body, url]
        process.arguments = transfer + ["--next"] + transfer
        let result = try await onOwnThread { try CLIRunner.capture(process, home: proxy.home) }
        #expect(result.stdout == "200:1\n200:0\n", "\(result.stdout)")
        #expect(try await proxy.sql("SELECT count(*) FROM calls WHERE status = 0", becoming: "2") == "2")
    }

    @Test func embeddingsAreMeteredAndAttributionCanRideInTheBaseURL() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        proxy.simulator.enqueue(SimulatedReply(.raw(status: 200, contentType: "application/json", body: """
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}
            """)))
        let result = try await proxy.curl(
            path: "/@agent=codex,team=infra/v1/embeddings", body: #"{"model":"text-embedding-3-small","input":"hello world"}"#)
        #expect(result.hasPrefix("200\n") && result.contains(#""embedding""#), "\(result)")
        #expect(proxy.simulator.requests.map(\.path) == ["/v1/embeddings"])
        let row = try await proxy.sql("""
            SELECT a.name, t.tags, c.input_tokens, c.output_tokens, c.cost_nano > 0 FROM calls c
            JOIN names a ON a.id = c.agent_id JOIN tag_sets t ON t.id = c.tag_set_id
            """, becoming: #"codex|{"team":"infra"}|8|0|1"#)
        #expect(row == #"codex|{"team":"infra"}|8|0|1"#)
    }

    @Test func billedCallsTheMeterCannotReadAreHeldBackUnderABlockBudgetAndNoSpellingOfAPathGetsPast() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        let capped = ["x-llm-cost-agent: capped"]
        // An image generation bills, but carries no usage the meter reads: refused while a block
        // budget covers the caller, with no retry.
        let image = #"{"model":"gpt-image-1","prompt":"a cat"}"#
        let refused = try await proxy.curl(path: "/v1/images/generations", body: image, headers: capped)
        #expect(refused.hasPrefix("403\n") && refused.contains(#""code":"unmetered_endpoint""#) && refused.contains("capped"), "\(refused)")
        #expect(try await proxy.curl(path: "/v1/messages/batches", body: #"{"requests":[]}"#, headers: capped).hasPrefix("403\n"))
        // The chat endpoint spelled another way is still the chat endpoint: metered, and refused.
        for path in ["/v1/%63hat/completions", "/v1//chat/completions/", "/v1/x/../chat/completions", "/openai/v1/./chat/completions"] {
            let result = try await proxy.curl(path: path, body: #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#, headers: capped)
            #expect(result.hasPrefix("429\n") && result.contains("budget_exceeded"), "\(path): \(result)")
        }
        // A background response is billed later, out of the meter's sight: held back too.
        let background = try await proxy.curl(
            path: "/v1/responses", body: #"{"model":"gpt-4o-mini","input":"hi","background":true}"#, headers: capped)
        #expect(background.hasPrefix("403\n"), "\(background)")
        // A path that would route differently once decoded is not sent anywhere.
        #expect(try await proxy.curl(path: "/v1/chat%2Fcompletions", body: "{}").hasPrefix("400\n"))
        #expect(proxy.simulator.requests.isEmpty, "\(proxy.simulator.requests.map(\.path))")

        // Outside any block budget the same calls are relayed, to the path as the upstream reads it.
        proxy.simulator.enqueue(SimulatedReply(.raw(status: 200, contentType: "application/json", body: #"{"data":[{"b64_json":"QUFB"}]}"#)))
        #expect(try await proxy.curl(path: "/v1/images/generations", body: image).hasPrefix("200\n"))
        _ = try await proxy.curl(path: "/v1/%63hat/completions", body: #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(proxy.simulator.requests.map(\.path) == ["/v1/images/generations", "/v1/chat/completions"])
        #expect(try await proxy.sql("SELECT count(*) FROM calls WHERE status = 0", becoming: "1") == "1")
    }

    @Test func withUnmeteredAllowedBilledCallsTheMeterCannotReadAreRelayed() async throws {
        let proxy = try await RunningProxy.start(extraConfig: "[proxy]\nunmetered = \"allow\"")
        defer { proxy.stop() }
        proxy.simulator.enqueue(SimulatedReply(.raw(status: 200, contentType: "application/json", body: #"{"data":[]}"#)))
        let result = try await proxy.curl(path: "/v1/images/generations", body: #"{"model":"gpt-image-1","prompt":"a cat"}"#, headers: ["x-llm-cost-agent: capped"])
        #expect(result.hasPrefix("200\n"), "\(result)")
    }

    @Test func withTokensAndHeldKeysAClientGetsInWithItsTokenAsItsKeyAndNeverSeesTheRealOne() async throws {
        // printf %s sk-ant-alice | sha256sum, its first 20 digits.
        let aliceDigest = "1fa29e724e0ee6ebba81"
        let proxy = try await RunningProxy.start(
            extraConfig: """
                [proxy]
                access_tokens_file = "HOME/tokens"
                hold_keys = ["openai"]
                key_agents = ["sha256:\(aliceDigest)=alice"]
                """,
            environment: ["OPENAI_API_KEY": "sk-held-upstream-key"],
            privateFiles: ["tokens": "# ci\ntok-ci-0123456789abcdef ci-bot\ntok-open-0123456789abcdef\n"])
        defer { proxy.stop() }
        let chat = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#
        // On the route whose key the proxy holds, the token is the client's API key; the upstream
        // gets the held key, and the call the token's agent, whatever the client names itself.
        let held = try await proxy.curl(
            path: "/v1/chat/completions", body: chat, headers: ["authorization: Bearer tok-ci-0123456789abcdef", "x-llm-cost-agent: not-me"])
        #expect(held.hasPrefix("200\n"), "\(held)")
        #expect(proxy.simulator.requests.last?.headers["authorization"] == "Bearer sk-held-upstream-key")
        // No token, or a wrong one: 401 in the route's shape, nothing sent.
        for headers in [[], ["authorization: Bearer tok-wrong-0123456789abcdef"]] {
            let refused = try await proxy.curl(path: "/v1/chat/completions", body: chat, headers: headers)
            #expect(refused.hasPrefix("401\n") && refused.contains(#""code":"invalid_proxy_token""#), "\(refused)")
        }
        let anthropic = #"{"model":"claude-sonnet-4-5","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}"#
        #expect(try await proxy.curl(path: "/v1/messages", body: anthropic, headers: ["x-api-key: sk-ant-alice"]).hasPrefix("401\n"))
        // On a route with the client's own key, the token rides in its own header; the key passes
        // through, and names its agent when the token names none.
        let own = try await proxy.curl(
            path: "/v1/messages", body: anthropic, headers: ["x-api-key: sk-ant-alice", "x-llm-cost-token: tok-open-0123456789abcdef"])
        #expect(own.hasPrefix("200\n"), "\(own)")
        #expect(proxy.simulator.requests.last?.headers["x-api-key"] == "sk-ant-alice")
        #expect(proxy.simulator.requests.count == 2)
        #expect(try await proxy.sql("SELECT a.name FROM calls c JOIN names a ON a.id = c.agent_id ORDER BY c.ts_ms", becoming: "ci-bot\nalice") == "ci-bot\nalice")
        // /metrics too needs a token.
        #expect(try await proxy.get("/metrics").contains("invalid_proxy_token"))
        // No secret in the ledger or the log.
        let dump = try String(contentsOfFile: proxy.ledger, encoding: .isoLatin1)
        for secret in ["sk-held-upstream-key", "tok-ci-0123456789abcdef", "sk-ant-alice"] {
            #expect(!dump.contains(secret) && !proxy.standardError.contains(secret), "\(secret)")
        }
    }

    @Test func anAccessTokensFileOthersCanReadIsRefusedAtStart() async throws {
        let home = try CLIRunner.temporaryDirectory()
        let tokens = home.appendingPathComponent("tokens").path
        try "tok-0123456789abcdef\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: tokens)
        let config = home.appendingPathComponent("llm-cost.toml")
        try "[proxy]\naccess_tokens_file = \"\(tokens)\"\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try await onOwnThread { try CLIRunner.run(["proxy", "--config", config.path, "--port", "0"], home: home) }
        #expect(result.status != 0 && result.stderr.contains("chmod 600") && result.stderr.contains("llm-cost.toml:2"), "\(result.stderr)")
    }

    @Test func aResponsesCallContinuingAnotherIsEstimatedWithTheContextItCarries() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        let first = try await proxy.curl(path: "/v1/responses", body: #"{"model":"gpt-4o-mini","input":"Tell me a story"}"#)
        let response = try JSONSerialization.jsonObject(with: Data(first.drop { $0 != "{" }.utf8)) as? [String: Any]
        let id = try #require(response?["id"] as? String, "\(first)")
        _ = try await proxy.curl(path: "/v1/responses", body: #"{"model":"gpt-4o-mini","input":"And then?","previous_response_id":"\#(id)"}"#)
        // The second call's estimate carries the first one's input and output.
        // Recorded just after the client has its answer (the body goes first).
        _ = try await proxy.sql("SELECT count(*) FROM calls", becoming: "2")
        let rows = try proxy.sql("SELECT input_tokens + cache_read_tokens + output_tokens, est_input_tokens FROM calls ORDER BY ts_ms, rowid")
        let numbers = rows.split(separator: "\n").map { $0.split(separator: "|").compactMap { Int($0) } }
        #expect(numbers.count == 2 && numbers[1][1] > numbers[0][0], "\(rows)")
    }

    @Test func aNonStreamedCallWhoseClientLeftIsRecordedWithTheUsageItWasBilled() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        // The upstream answers after the client gave up: all of it was generated, and billed.
        proxy.simulator.enqueue(SimulatedReply(.completion(SimulatedCompletion(textChunks: ["late ", "answer"])), firstByteDelay: .milliseconds(800)))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--max-time", "0.3", "-H", "content-type: application/json", "-d",
            #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#, proxy.baseURL + "/v1/chat/completions"]
        _ = try await onOwnThread { try CLIRunner.capture(process, home: proxy.home) }
        // With the output the upstream reported, not an estimate of the input alone. (Its status
        // is ok or cancelled, as the write to the closed connection happened to fail or not.)
        let row = try await proxy.sql("SELECT output_tokens > 0, usage_estimated FROM calls", becoming: "1|0", within: .seconds(10))
        #expect(row == "1|0", "\(row)")
    }

    @Test func anAbsurdOutputLimitTimesChoicesIsMeteredNotACrash() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        let result = try await proxy.curl(
            path: "/v1/chat/completions", body: #"{"model":"gpt-4o","max_completion_tokens":4611686018427387904,"n":2,"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(result.hasPrefix("200\n"), "\(result)")
        #expect(proxy.process.isRunning)
    }

    @Test func aBodyTheMeterCannotReadIsRefusedNotSent() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        let result = try await proxy.curl(path: "/v1/messages", body: #"{"model":"claude-sonnet-4-5"}{"#)
        #expect(result.hasPrefix("400\n") && result.contains(#""type":"invalid_request_error""#), "\(result)")
        #expect(proxy.simulator.requests.isEmpty)
    }

    @Test func anUnreachableUpstreamIsA502InTheProvidersShape() async throws {
        let proxy = try await RunningProxy.start()
        defer { proxy.stop() }
        let result = try await proxy.curl(path: "/p/down/v1/chat/completions", body: #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(result.hasPrefix("502\n"), "\(result)")
        #expect(result.contains(#""code":"upstream_unreachable""#) && result.contains(#""type":"api_error""#), "\(result)")
        #expect(try await proxy.sql("SELECT status, input_tokens + output_tokens FROM calls", becoming: "1|0") == "1|0")
    }
}

/// `llm-cost proxy --port 0` on a config of its own, in front of a simulator of its own.
final class RunningProxy: Sendable {
    let home: URL
    let ledger: String
    let simulator: ProviderSimulator
    let process: Process
    let output: PrintedLines
    let errors: PrintedLines
    let baseURL: String

    private init(home: URL, ledger: String, simulator: ProviderSimulator, process: Process, output: PrintedLines, errors: PrintedLines, baseURL: String) {
        self.home = home
        self.ledger = ledger
        self.simulator = simulator
        self.process = process
        self.output = output
        self.errors = errors
        self.baseURL = baseURL
    }

    /// `extraConfig`: appended to the config, `HOME/` in it standing for the proxy's home folder;
    /// `privateFiles`: written there first, mode 0600.
    /// `ledger`: where it records (default: a SQLite file in its home).
    static func start(
        extraConfig: String = "", environment: [String: String] = [:], privateFiles: [String: String] = [:], ledger: String? = nil
    ) async throws -> RunningProxy {
        let simulator = ProviderSimulator()
        try simulator.start()
        let home = try CLIRunner.temporaryDirectory()
        for (name, text) in privateFiles {
            let path = home.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
        let extraConfig = extraConfig.replacingOccurrences(of: "HOME/", with: home.path + "/")
        let ledger = ledger ?? home.appendingPathComponent("proxy.sqlite").path
        let config = home.appendingPathComponent("llm-cost.toml")
        try """
            [ledger]
            path = "\(ledger)"

            [providers.anthropic]
            type = "anthropic"
            base_url = "\(simulator.baseURL.absoluteString)"

            [providers.openai]
            type = "openai"
            base_url = "\(simulator.baseURL.absoluteString)/v1"

            [providers.down]
            type = "openai"
            base_url = "http://127.0.0.1:1/v1"

            [[budgets]]
            name = "capped"
            agent = "capped"
            period = "day"
            limit_usd = 0.000001
            action = "block"
            \(extraConfig)
            """.write(to: config, atomically: true, encoding: .utf8)
        let process = CLIRunner.process(["proxy", "--config", config.path, "--port", "0"], home: home, environment: environment)
        let output = PrintedLines.standardOutput(of: process)
        let errors = PrintedLines()
        let errorPipe = Pipe()
        process.standardError = errorPipe
        errorPipe.fileHandleForReading.readabilityHandler = { handle in errors.append(handle.availableData) }
        try process.run()
        for _ in 0..<200 {
            // The first line says where it listens.
            if let line = output.text.split(separator: "\n").first, line.hasPrefix("listening on ") {
                return RunningProxy(
                    home: home, ledger: ledger, simulator: simulator, process: process, output: output, errors: errors,
                    baseURL: String(line.dropFirst("listening on ".count)))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        simulator.stop()
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the proxy did not say where it listens: \(output.text) \(errors.text)"])
    }

    var standardError: String { errors.text }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        simulator.stop()
        try? FileManager.default.removeItem(at: home)
    }

    /// One value per column, `|` between, rows on lines (sqlite3's list mode).
    func sql(_ query: String) throws -> String {
        try CLIRunner.sqlite(ledger, query, home: home).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `sql(query)` once it gives `expected`, or what it gives after 5 s: the proxy records a
    /// call just after the client has its response.
    func sql(_ query: String, becoming expected: String, within limit: Duration = .seconds(5)) async throws -> String {
        let deadline = ContinuousClock.now + limit
        var value = try sql(query)
        while value != expected && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            value = try sql(query)
        }
        return value
    }

    /// GETs `path` with curl; returns the body.
    func get(_ path: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", baseURL + path]
        return try await onOwnThread { try CLIRunner.capture(process, home: self.home) }.stdout
    }

    /// POSTs `body` with curl (and `headers`, `Name: value`); returns the status code, a newline,
    /// then the body.
    func curl(path: String, body: String, headers: [String] = []) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--path-as-is", "-o", "-", "-w", "\n%{http_code}", "-H", "content-type: application/json"]
            + headers.flatMap { ["-H", $0] } + ["-d", body, baseURL + path]
        let result = try await onOwnThread { try CLIRunner.capture(process, home: self.home) }
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.last.map(String.init) ?? "") + "\n" + lines.dropLast().joined(separator: "\n")
    }

    /// Streams a Messages call whose upstream goes silent for `duration` after `events` events;
    /// returns when each event reached curl (see `curlEventTimes`).
    func streamStalling(afterEvents events: Int, for duration: Duration, hangUpAfter maxTime: Double? = nil) async throws -> [Double] {
        var reply = SimulatedReply.text(["one ", "two ", "three"])
        reply.stallAfterEvents = events
        reply.stallDuration = duration
        simulator.enqueue(reply)
        return try await curlEventTimes(path: "/v1/messages", body: """
            {"model":"claude-sonnet-4-5","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}
            """, maxTime: maxTime)
    }

    /// POSTs `body` with curl, unbuffered, and returns when (seconds since the start) each
    /// `data:` line arrived; `maxTime`: curl hangs up after that many seconds.
    func curlEventTimes(path: String, body: String, maxTime: Double? = nil) async throws -> [Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-N", "-H", "content-type: application/json", "-H", "x-api-key: sk-test", "-d", body]
            + (maxTime.map { ["--max-time", String($0)] } ?? []) + [baseURL + path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let started = Date()
        try process.run()
        return await onOwnThread {
            var times: [Double] = []
            var pending = Data()
            while true {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                let now = Date().timeIntervalSince(started)
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    if pending[pending.startIndex..<newline].starts(with: Data("data:".utf8)) { times.append(now) }
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            process.waitUntilExit()
            return times
        }
    }
}
