import Foundation
import LLMCostSimulator
import Testing

/// `llm-cost prompt`, `providers list|check` and `simulate`, run as a user would, against the
/// simulator on loopback.
@Suite struct ProviderCommandTests {
    private let key = "sk-cli-test-key-0123456789"

    private func environment(_ simulator: ProviderSimulator) -> [String: String] {
        [
            "ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": simulator.baseURL.absoluteString,
            "OPENAI_API_KEY": key, "OPENAI_BASE_URL": simulator.baseURL.absoluteString + "/v1",
        ]
    }

    @Test func promptPrintsTheReplyAndAUsageLine() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        let result = try await CLIRunner.run(
            ["prompt", "--provider", "anthropic", "--system", "Be brief.", "--max-tokens", "50", "hello there"],
            home: home, environment: environment(simulator))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Simulated reply to: hello there\n")
        // "Be brief." + "hello there" = 20 characters → 5 input tokens; 5 chunks out.
        // 5 input tokens at $3/M + 5 output at $15/M, from the pricing table.
        #expect(result.stderr.hasPrefix("anthropic/claude-sonnet-4-5 · in 5 · out 5 · cost $0.000090 · "))
        // And the call is in the ledger, priced, with its request id.
        let exported = try await CLIRunner.run(["export"], home: home)
        #expect(exported.stdout.contains(#""request_id":"req_sim_000001""#))
        #expect(exported.stdout.contains(#""cost_usd":"0.000090000""#))
        #expect(result.stderr.contains("req_sim_000001"))
        let sent = try #require(simulator.requests.first?.json)
        #expect(sent["max_tokens"] as? Int == 50)
        #expect(sent["system"] as? String == "Be brief.")
    }

    @Test func promptStreamsAndPrintsJSON() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        let streamed = try await CLIRunner.run(
            ["prompt", "--provider", "openai", "--stream", "--model", "sim-reasoning", "why"], home: home,
            environment: environment(simulator))
        #expect(streamed.status == 0, "\(streamed.stderr)")
        #expect(streamed.stdout == "Simulated reply to: why\n")
        #expect(streamed.stderr.contains("openai/sim-reasoning · in 1 · out 13 (9 reasoning)"))

        let json = try await CLIRunner.run(
            ["prompt", "--provider", "openai-responses", "--format", "json", "--model", "sim-tools", "weather?"], home: home,
            environment: environment(simulator))
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["stop_reason"] as? String == "completed")
        #expect((object["tool_calls"] as? [[String: Any]])?.first?["name"] as? String == "get_weather")
        #expect((object["usage"] as? [String: Any])?["output_tokens"] as? Int == 18)
        #expect(object["cost_usd"] is NSNull)
    }

    @Test func providerTablesInTheConfigFileAreUsedAndLocatedWhenWrong() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        let config = home.appendingPathComponent("llm-cost.toml")
        try """
            [providers.local]
            type = "openai-compatible"
            base_url = "\(simulator.baseURL.absoluteString)/v1"
            model = "sim-model"
            auth = "none"
            """.write(to: config, atomically: true, encoding: .utf8)
        let list = try await CLIRunner.run(["providers", "list"], home: home)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("local"))
        let prompt = try await CLIRunner.run(["prompt", "--provider", "local", "--agent", "tester", "hi"], home: home)
        #expect(prompt.status == 0, "\(prompt.stderr)")
        let report = try await CLIRunner.run(["report", "--by", "agent", "--format", "csv"], home: home)
        #expect(report.stdout.contains("\ntester,1,"))

        try "[providers.local]\ntype = \"openai-compatible\"\nauth = \"telepathy\"\n".write(to: config, atomically: true, encoding: .utf8)
        let wrong = try await CLIRunner.run(["providers", "list"], home: home)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("\(config.path):1:"), "\(wrong.stderr)")
    }

    @Test func promptFailuresUseTheRightExitCodes() async throws {
        let simulator = ProviderSimulator(requiredAPIKey: "another-key-entirely")
        try simulator.start()
        defer { simulator.stop() }
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let unauthorized = try await CLIRunner.run(["prompt", "--provider", "anthropic", "hi"], home: home, environment: environment(simulator))
        #expect(unauthorized.status == 1)
        #expect(unauthorized.stderr.contains("authentication (HTTP 401)"))
        #expect(!unauthorized.stderr.contains(key) && !unauthorized.stdout.contains(key))

        let unknown = try await CLIRunner.run(["prompt", "--provider", "nope", "hi"], home: home, environment: environment(simulator))
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no provider named `nope`"))

        let noKey = try await CLIRunner.run(["prompt", "--provider", "openrouter", "hi"], home: home)
        #expect(noKey.status == 1)
        #expect(noKey.stderr.contains("set OPENROUTER_API_KEY"))
    }

    @Test func rawLogShowsTheWireWithTheKeyRedacted() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        var env = environment(simulator)
        env["LLM_COST_RAW_LOG"] = "1"
        let result = try await CLIRunner.run(["prompt", "--provider", "anthropic", "hi"], home: home, environment: env)
        #expect(result.status == 0)
        #expect(result.stderr.contains("[anthropic] > POST http://127.0.0.1:\(simulator.port)/v1/messages"))
        #expect(result.stderr.contains("x-api-key: [redacted]"))
        #expect(result.stderr.contains("event: message_stop"))
        #expect(!result.stderr.contains(key))
    }

    @Test func providersListShowsKeyStatusNeverKeys() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try await CLIRunner.run(["providers", "list"], home: home, environment: ["ANTHROPIC_API_KEY": key])
        #expect(result.status == 0)
        let anthropicRow = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("anthropic ") })
        #expect(anthropicRow.contains("set (ANTHROPIC_API_KEY)"))
        #expect(anthropicRow.hasSuffix("anthropic/claude-sonnet-4-5@2025-09-29"), "the pricing entry of its default model")
        #expect(result.stdout.contains("missing (set OPENAI_API_KEY)"))
        #expect(!result.stdout.contains(key))
    }

    @Test func providersCheckDiagnoses() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        let ok = try await CLIRunner.run(["providers", "check"], home: home, environment: environment(simulator))
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("anthropic: ok (claude-sonnet-4-5,"))
        #expect(ok.stdout.contains("openai-responses: ok"))

        let dead = ProviderSimulator()
        let deadPort = try dead.start()
        dead.stop()
        let unreachable = try await CLIRunner.run(
            ["providers", "check", "anthropic"], home: home,
            environment: ["ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": "http://127.0.0.1:\(deadPort)"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stdout.contains("anthropic: FAILED: cannot reach the server"))
    }

    @Test func simulateServesOtherProcesses() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let server = CLIRunner.process(["simulate", "--port", "0"], home: home)
        let output = home.appendingPathComponent("simulate.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        server.standardOutput = try FileHandle(forWritingTo: output)
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        var port: String?
        for _ in 0..<500 where port == nil {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            port = text.firstMatch(of: /127\.0\.0\.1:(\d+)/).map { String($0.1) }
            if port == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let found = try #require(port, "the simulator never printed its address")
        let result = try await CLIRunner.run(
            ["prompt", "--provider", "anthropic", "from another process"], home: home,
            environment: ["ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": "http://127.0.0.1:\(found)"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Simulated reply to: from another process\n")
    }
}
