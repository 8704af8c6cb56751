import ArgumentParser
import Foundation

struct BenchLedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Write, import, record and report timings, each beside its sqlite3 reference.",
        discussion: "Builds the benchmark ledger on first run (10M calls take about two minutes and 1.6 GB); later runs reuse it. Build with -c release first.")

    @Option(help: "The benchmark ledger file.") var db: String = "bench-data/ledger-10M.sqlite"
    @Option(help: "Calls in the benchmark ledger.") var calls: Int = 10_000_000
    @Option(help: "Runs per timing (the median is printed).") var runs: Int = 5
    @Option(help: "The sqlite3 shell used as reference.") var sqlite3: String = "/usr/bin/sqlite3"
    @Flag(help: "Only the reports (and the HTML report beside the JSON one); skip record and import.") var reportsOnly = false

    func run() throws {
        let binary = BenchCommand.llmCostBinary.path
        try LedgerBenchmark(path: db, calls: calls, runs: runs, binary: binary, sqlite3: sqlite3, reportsOnly: reportsOnly).run()
    }
}
