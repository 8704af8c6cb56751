import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Inspect the ledger, recover spooled calls, copy it to another.",
        subcommands: [Info.self, Verify.self, Recover.self, Copy.self])

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Where the ledger is and how many calls it holds.")
        @OptionGroup var ledger: LedgerOptions

        func run() throws {
            let opened = try ledger.openLedger(try ledger.loadConfiguration(), for: .read)
            FileOutput.standardOutput.write("path: \(opened.path)\ncalls: \(try opened.callCount())\n")
            if let size = (try? FileManager.default.attributesOfItem(atPath: opened.path))?[.size] as? Int64 {
                FileOutput.standardOutput.write("size: \(size) bytes\n")
            }
            if opened.hasSpooledCalls {
                FileOutput.standardOutput.write("unrecorded: calls wait in \(opened.spoolPath) (run `llm-cost ledger recover`)\n")
            }
            for file in opened.rejectedSpoolFiles {
                FileOutput.standardOutput.write("unreadable spooled calls: \(file) (fix the lines, then `llm-cost import` it)\n")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that the hourly rollups equal the raw rows (reads every row).")
        @OptionGroup var ledger: LedgerOptions

        func run() throws {
            let opened = try ledger.openLedger(try ledger.loadConfiguration(), for: .read)
            let problems = try opened.rollupDiscrepancies()
            guard problems.isEmpty else {
                for problem in problems.prefix(50) { FileOutput.standardError.write(problem + "\n") }
                throw CommandFailure.runtime("\(opened.path): \(problems.count) rollup row(s) disagree with the raw calls")
            }
            FileOutput.standardOutput.write("ok: rollups match \(try opened.callCount()) calls\n")
        }
    }

    struct Recover: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the calls spooled while the ledger could not be written.",
            discussion: "A metered call that cannot be written (the ledger locked past the busy timeout, or damaged) waits in <ledger>.unrecorded.jsonl; the next metered call records it, or this command does.")
        @OptionGroup var ledger: LedgerOptions

        func run() throws {
            let opened = try ledger.openLedger(try ledger.loadConfiguration(), for: .write)
            let recovered = try opened.recoverSpooledCalls()
            FileOutput.standardOutput.write("recorded \(recovered) spooled call\(recovered == 1 ? "" : "s")\n")
        }
    }
}
