import Foundation
import Testing

/// `llm-cost demo` runs the real pipeline: simulator on loopback, metered agents, a budget that trips.
@Suite struct MeteringDemoTests {
    @Test func demoMetersThreeAgentsAndTripsTheBudget() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let demo = try await CLIRunner.run(["demo"], home: home)
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("Live run against the simulator at http://127.0.0.1:"))
        #expect(demo.stdout.contains(#"refused the call"#))
        #expect(demo.stdout.contains("Budget status:"))
        #expect(demo.stdout.contains("live-run"))
        #expect(demo.stderr.contains("budget \"live-run\" reached 10% of its limit"), "\(demo.stderr)")
        // The live calls are in the demo ledger, tagged, next to the synthetic history.
        let report = try await CLIRunner.run(
            ["report", "--db", home.appendingPathComponent("data/llm-cost/demo.sqlite").path, "--tag", "run=live", "--by", "agent", "--format", "csv"],
            home: home)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("researcher") || report.stdout.contains("coder"))
    }

    @Test func reportAccuracyComparesEstimatesWithReportedUsage() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(try await CLIRunner.run(["demo"], home: home).status == 0)
        let db = home.appendingPathComponent("data/llm-cost/demo.sqlite").path
        let result = try await CLIRunner.run(["report", "accuracy", "--db", db], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("MEDIAN ERR"))
        // Only the live, metered calls carry estimates: the simulated models appear.
        #expect(result.stdout.contains("anthropic"))
    }
}
