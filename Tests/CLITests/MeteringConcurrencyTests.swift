import Foundation
import LLMCostTestSupport
import LLMCostSimulator
import Testing

/// Many separate `llm-cost prompt` processes against one ledger, one hard budget and one
/// simulated provider on loopback: the budget holds across processes.
@Suite struct MeteringConcurrencyTests {
    /// Starts every process at once and waits for all of them (on a thread of their own), then
    /// returns each one's exit status and standard error, in order.
    private func runTogether(_ processes: [Process], home: URL) async throws -> [(status: Int32, stderr: String)] {
        var errURLs: [URL] = []
        for (index, process) in processes.enumerated() {
            let errURL = home.appendingPathComponent("err-\(UUID().uuidString)-\(index)")
            _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errURL)
            errURLs.append(errURL)
        }
        let urls = errURLs
        // Every slot: these processes race each other on purpose, and nothing else should run.
        return try await HeavyWorkSlots.shared.run(slots: nil) {
            try await onOwnThread { [processes] in
            for process in processes { try process.run() }
            return try zip(processes, urls).map { process, errURL in
                process.waitUntilExit()
                return (process.terminationStatus, String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
            }
            }
        }
    }

    /// One `llm-cost prompt` process against the simulator and `ledger`, not started yet.
    private func prompt(_ index: Int, ledger: String, home: URL, simulator: ProviderSimulator) -> Process {
        CLIRunner.process(
            ["prompt", "--db", ledger, "--provider", "anthropic", "--max-tokens", "50", "hello \(index)"], home: home,
            environment: ["ANTHROPIC_API_KEY": "sk-test-0123456789", "ANTHROPIC_BASE_URL": simulator.baseURL.absoluteString])
    }

    @Test func twentyFourProcessesNeverJointlyOverspendAHardBudget() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        // Each call's worst case (max 50 output tokens at $15/M) is ~$0.0008 and its actual cost
        // ~$0.00009, so $0.0015 lets calls through only until spend plus reservations reach it.
        try """
            [[budgets]]
            name = "shared-cap"
            period = "day"
            limit_usd = 0.0015
            action = "block"
            """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let ledger = home.appendingPathComponent("ledger.sqlite").path
        // Create the ledger once, so the processes race on calls, not on the migration.
        _ = try await CLIRunner.run(["import", "--db", ledger, "-"], stdin: "", home: home)

        let count = 24
        let outcomes = try await runTogether((0..<count).map { prompt($0, ledger: ledger, home: home, simulator: simulator) }, home: home)
        var succeeded = 0
        var refused = 0
        for (status, stderr) in outcomes {
            switch status {
            case 0: succeeded += 1
            case 3:
                refused += 1
                #expect(stderr.contains("budget \"shared-cap\" refused the call"), "\(stderr)")
            default: Issue.record("unexpected exit \(status): \(stderr)")
            }
        }
        #expect(succeeded + refused == count)
        #expect(refused > 0)
        #expect(succeeded > 0)
        // Every successful call is in the ledger, and their actual costs stay within the limit.
        let exported = try await CLIRunner.run(["export", "--db", ledger], home: home)
        let lines = exported.stdout.split(separator: "\n")
        #expect(lines.count == succeeded)
        var totalNano: Int64 = 0
        for line in lines {
            guard let range = line.range(of: #""cost_usd":""#) else { continue }
            let digits = line[range.upperBound...].prefix { $0 != "\"" }.replacingOccurrences(of: ".", with: "")
            totalNano += Int64(digits) ?? 0
        }
        #expect(totalNano > 0)
        #expect(totalNano <= 1_500_000)
        // Only the simulator's successful requests were sent: refused calls never left the process.
        #expect(simulator.requests.count == succeeded)
    }

    /// Sixteen `llm-cost prompt` processes through a provider configured under its own name
    /// (`sim`, type anthropic: priced as Anthropic) whose replies take a few hundred ms, so the
    /// calls overlap. Each call's worst case is ~$0.00077 and its actual cost ~$0.000066.
    private func sixteenSlowPrompts(limit: String, waitMilliseconds: Int) async throws -> (succeeded: Int, stderr: [String], spentNano: Int64) {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        try """
            [providers.sim]
            type = "anthropic"
            model = "claude-sonnet-4-5"
            base_url = "\(simulator.baseURL.absoluteString)"
            api_key_env = "SIM_KEY"
            extra_headers = { "x-simulator-scenario" = "slow" }

            [[budgets]]
            name = "shared-cap"
            provider = "sim"
            period = "day"
            limit_usd = "\(limit)"
            action = "block"
            wait_ms = \(waitMilliseconds)
            """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let ledger = home.appendingPathComponent("ledger.sqlite").path
        _ = try await CLIRunner.run(["import", "--db", ledger, "-"], stdin: "", home: home)
        let processes = (0..<16).map { index in
            CLIRunner.process(
                ["prompt", "--db", ledger, "--provider", "sim", "--max-tokens", "50", "hello \(index)"], home: home,
                environment: ["SIM_KEY": "sk-test-0123456789"])
        }
        var succeeded = 0
        var refusals: [String] = []
        for (status, stderr) in try await runTogether(processes, home: home) {
            switch status {
            case 0: succeeded += 1
            case 3: refusals.append(stderr)
            default: Issue.record("unexpected exit \(status): \(stderr)")
            }
        }
        let exported = try await CLIRunner.run(["export", "--db", ledger], home: home).stdout.split(separator: "\n")
        #expect(exported.count == succeeded)
        #expect(simulator.requests.count == succeeded) // a refused call never left its process
        var spent: Int64 = 0
        for line in exported {
            #expect(line.contains(#""pricing_provider":"anthropic""#), "priced as its type: \(line)")
            guard let range = line.range(of: #""cost_usd":""#) else { continue }
            spent += Int64(line[range.upperBound...].prefix { $0 != "\"" }.replacingOccurrences(of: ".", with: "")) ?? 0
        }
        return (succeeded, refusals, spent)
    }

    @Test func sixteenProcessesWhoseActualCostsFitTheLimitAllComplete() async throws {
        // Room for two worst cases at once, and for all sixteen actual costs: calls wait for
        // the ones in flight instead of being refused while spend is far below the limit.
        let waiting = try await sixteenSlowPrompts(limit: "0.002", waitMilliseconds: 30_000)
        #expect(waiting.succeeded == 16, "\(waiting.stderr)")
        #expect(waiting.spentNano <= 2_000_000)
        // The same calls refused at once (wait_ms = 0) lose some to the reservations in flight.
        let impatient = try await sixteenSlowPrompts(limit: "0.002", waitMilliseconds: 0)
        #expect(impatient.succeeded < 16)
        #expect(impatient.stderr.allSatisfy { $0.contains("budget \"shared-cap\" refused the call") })
    }

    @Test func sixteenProcessesWhoseActualCostsDoNotFitAreRefusedBeyondTheLimit() async throws {
        let result = try await sixteenSlowPrompts(limit: "0.0012", waitMilliseconds: 30_000)
        #expect(result.succeeded > 0)
        #expect(result.succeeded < 16)
        #expect(result.spentNano <= 1_200_000) // never overspent
        // Each was refused because recorded spend plus its worst case passes the limit, not
        // because of calls in flight: the refusals came only once the limit was really reached.
        for stderr in result.stderr {
            #expect(stderr.contains("budget \"shared-cap\" refused the call"), "\(stderr)")
            // "spent $S + reserved $R + this call's worst case $W would exceed the limit $L"
            let amounts = stderr.split(separator: "$").dropFirst().compactMap { Decimal(string: String($0.prefix { $0.isNumber || $0 == "." })) }
            #expect(amounts.count == 4, "\(stderr)")
            if amounts.count == 4 { #expect(amounts[0] + amounts[2] > amounts[3], "refused with room left: \(stderr)") }
        }
    }

    @Test func eachAlertThresholdFiresExactlyOnceAcrossSixteenProcesses() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        let fired = home.appendingPathComponent("fired.txt")
        // Each call costs ~$0.00008; sixteen of them pass every threshold of a $0.0004 budget.
        try """
            [[budgets]]
            name = "watched"
            period = "total"
            limit_usd = 0.0004
            alerts = [0.25, 0.5, 1.0]

            [alerts]
            log = false
            command = "echo \\"$LLM_COST_BUDGET $LLM_COST_THRESHOLD\\" >> '\(fired.path)'"
            webhook_url = "\(simulator.baseURL.absoluteString)/hooks/alerts"
            """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        let ledger = home.appendingPathComponent("ledger.sqlite").path
        _ = try await CLIRunner.run(["import", "--db", ledger, "-"], stdin: "", home: home)
        let outcomes = try await runTogether((0..<16).map { prompt($0, ledger: ledger, home: home, simulator: simulator) }, home: home)
        for (status, stderr) in outcomes {
            #expect(status == 0, "a warn budget never refuses: \(stderr)")
        }
        let lines = try String(contentsOf: fired, encoding: .utf8).split(separator: "\n").map(String.init).sorted()
        #expect(lines == ["watched 0.25", "watched 0.5", "watched 1"])
        // The webhook too: each threshold posted exactly once, whichever process crossed it.
        let posted = simulator.requests.filter { $0.path == "/hooks/alerts" }.compactMap { $0.json?["threshold"] as? String }
        #expect(posted.sorted() == ["0.25", "0.5", "1"])
    }
}
