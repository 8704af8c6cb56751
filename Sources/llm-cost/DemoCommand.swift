import ArgumentParser
import Foundation
import LLMCost

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write a realistic synthetic week of calls into a demo ledger and report it.",
        discussion: "Three agents on two providers. Needs no API keys and never touches your real ledger.")

    @Option(help: ArgumentHelp("The demo ledger (default: demo.sqlite beside the real ledger, recreated each run).", valueName: "path"))
    var db: String?

    @Option(help: "Calls in the week.") var calls: Int = 2_000
    @Option(help: "Random seed (the same seed gives the same calls).") var seed: UInt64 = 7

    func run() throws {
        let path = db ?? Ledger.dataDirectory() + "/demo.sqlite"
        if db == nil {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let configuration = try Configuration.load()
        let ledger = try Ledger(path: path)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let weekAgo = now - 7 * 86_400_000
        let pricing = try loadPricing(configuration)
        let written = try ledger.write(pricing: pricing) { session -> Int in
            try SyntheticWorkload.demo.generate(count: calls, start: weekAgo, end: now, seed: seed) { try session.insert($0) }
            return session.insertedCount
        }
        let out = FileOutput.standardOutput
        let renderer = ReportRenderer(width: out.width, colors: out.usesColor)
        out.write("Wrote \(written) synthetic calls (3 agents, 2 providers, last 7 days) to \(path)\n\n")
        for groupBy in [[ReportDimension.agent], [.provider, .model]] {
            let report = try ledger.report(ReportQuery(timeZone: .current, groupBy: groupBy))
            out.write(renderer.render(report, as: .table) + "\n")
        }
        out.write("Explore it: llm-cost report --db \(path) --by day,agent   (or --format json, --by tag:team)\n")
    }
}
