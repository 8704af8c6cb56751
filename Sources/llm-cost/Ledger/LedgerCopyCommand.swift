import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

extension LedgerCommand {
    /// `llm-cost ledger copy --db SRC --to DST`: every call from one ledger into another.
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every call from one ledger into another (SQLite or PostgreSQL, either way).",
            discussion: """
                Exact (costs as stored, estimates, tags) and idempotent: calls the destination \
                has already are skipped, so a copy run again, or interrupted and run again, \
                writes nothing twice. The destination is created when missing (a file) or \
                migrated (a server database). Progress goes to standard error.
                """)

        @OptionGroup var ledger: LedgerOptions

        @Option(name: .customLong("to"), help: ArgumentHelp("The destination: a file path or a postgres:// URL.", valueName: "ledger"))
        var destination: String

        func run() throws {
            let configuration = try ledger.loadConfiguration()
            let source = try ledger.openLedger(configuration, for: .read)
            let target = try Ledger.at(
                try LedgerLocation(expandTilde(destination)), passwordVariable: configuration.string("ledger.password_env"),
                warn: { FileOutput.standardError.write("warning: \($0)\n") })
            let started = ContinuousClock.now
            let summary = try source.copy(to: target) { running in
                FileOutput.standardError.write("\rcopied \(running.read) calls (\(running.inserted) new)")
            }
            if summary.read > 0 { FileOutput.standardError.write("\n") }
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            FileOutput.standardOutput.write(
                "copied \(summary.read) calls from \(source.path) to \(target.path): \(summary.inserted) new, "
                    + "\(summary.duplicates) already there (\(String(format: "%.1f", seconds)) s)\n")
        }
    }
}
