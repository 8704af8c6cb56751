import Foundation
import LLMCostTestSupport
import LLMCostSimulator
import Testing

/// `budget status` JSON and projection with a call in flight, and `prompt` waiting for its
/// alerts before it exits: the built binary against a simulated provider on loopback.
@Suite struct BudgetHardeningCLITests {
    private func environment(_ simulator: ProviderSimulator) -> [String: String] {
        ["ANTHROPIC_API_KEY": "sk-test-0123456789", "ANTHROPIC_BASE_URL": simulator.baseURL.absoluteString]
    }

    @Test func statusJSONHasTheDocumentedShapeAndProjectsACallInFlight() async throws {
        // A slot for the whole test: its polls must run while the prompt is in flight, not
        // queue behind other tests' processes.
        try await HeavyWorkSlots.shared.run {
            let simulator = ProviderSimulator()
            try simulator.start()
            defer { simulator.stop() }
            var slow = SimulatedReply.text(["slow reply"])
            slow.firstByteDelay = .seconds(4)
            simulator.enqueue(slow)
            let home = try CLIRunner.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: home) }
            try """
                [[budgets]]
                name = "monthly"
                period = "month"
                limit_usd = 5
                action = "block"
                alerts = [0.5]
                """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
            _ = try await CLIRunner.run(["import", "-"], stdin: "", home: home) // create the ledger before the race

            // A prompt held by the slow reply: while it waits, its worst case is reserved.
            let prompt = CLIRunner.process(
                ["prompt", "--provider", "anthropic", "--max-tokens", "100", "hello"], home: home, environment: environment(simulator))
            try prompt.run()
            defer { prompt.waitUntilExit() }

            var inFlight: [String: Any]?
            for _ in 0..<60 {
                let status = try await CLIRunner.run(["budget", "status", "--format", "json"], home: home)
                #expect(status.status == 0, "\(status.stderr)")
                let rows = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
                if let row = rows.first, row["reserved_usd"] as? String != "0.000000000" {
                    inFlight = row
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let row = try #require(inFlight, "the prompt's reservation never showed")
            #expect(Set(row.keys) == [
                "name", "scope", "action", "period", "spent_usd", "reserved_usd", "remaining_usd", "limit_usd", "over",
                "share_used_bp", "overrun_calls", "overrun_usd", "unpriced_calls", "period_end_ms", "projected_usd",
            ])
            #expect(row["name"] as? String == "monthly")
            #expect(row["scope"] as? String == "all calls")
            #expect(row["action"] as? String == "block")
            #expect(row["period"] as? String == "month")
            #expect(row["limit_usd"] as? String == "5.000000000")
            #expect(row["spent_usd"] as? String == "0.000000000")
            #expect(row["over"] as? Bool == false)
            #expect(row["overrun_calls"] as? Int == 0)
            #expect(row["overrun_usd"] as? String == "0.000000000")
            #expect(row["share_used_bp"] is Int)
            #expect(row["period_end_ms"] is Int)
            // Nothing spent yet: the projection is the reservation of the call in flight.
            #expect(row["projected_usd"] as? String == row["reserved_usd"] as? String)

            try await onOwnThread { [prompt] in prompt.waitUntilExit() }
            #expect(prompt.terminationStatus == 0)
            let after = try await CLIRunner.run(["budget", "status", "--format", "json"], home: home)
            #expect(after.stdout.contains(#""reserved_usd":"0.000000000""#), "\(after.stdout)")
        }
    }

    @Test func promptExitsOnlyAfterItsAlertIsDelivered() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        let fired = home.appendingPathComponent("fired.txt")
        // A slow alert command: had the process not waited for it, the file would not exist
        // yet when the prompt exits.
        try """
            [[budgets]]
            name = "watched"
            period = "total"
            limit_usd = "0.00001"
            alerts = [1.0]

            [alerts]
            log = false
            command = "sleep 1; echo \\"$LLM_COST_BUDGET $LLM_COST_THRESHOLD\\" >> '\(fired.path)'"
            """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let prompt = try await CLIRunner.run(["prompt", "--provider", "anthropic", "hello"], home: home, environment: environment(simulator))
        #expect(prompt.status == 0, "\(prompt.stderr)")
        let lines = (try? String(contentsOf: fired, encoding: .utf8)) ?? ""
        #expect(lines == "watched 1\n")
    }
}
