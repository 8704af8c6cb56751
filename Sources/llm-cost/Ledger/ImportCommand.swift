import ArgumentParser
import Foundation
import LLMCost

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import calls from a JSON Lines file (one call per line; see the README).",
        discussion: """
            All or nothing by default: if any line is invalid, every bad line is named and \
            nothing is imported. Calls already in the ledger (same request id, or same content) \
            are skipped, so importing a file twice is safe.
            """)

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: ArgumentHelp("The file, or - for standard input.", valueName: "file.jsonl"))
    var file: String

    @Flag(name: .customLong("skip-invalid"), help: "Import the valid lines and list the invalid ones.")
    var skipInvalid = false

    @Flag(help: "No progress display.") var quiet = false

    @Flag(name: .customLong("dry-run"), help: "Check every line and report, but write nothing.")
    var dryRun = false

    func run() throws {
        let configuration = try ledger.loadConfiguration()
        let target = try ledger.openLedger(configuration, for: .create)
        let terminal = FileOutput.standardError
        let showProgress = !quiet && terminal.isTerminal
        let started = Date()
        var options = ImportOptions(skipInvalid: skipInvalid)
        options.dryRun = dryRun
        if showProgress {
            options.progress = { bytesRead, totalBytes, lines in
                let share = totalBytes.map { $0 > 0 ? " \(bytesRead * 100 / $0)%" : "" } ?? ""
                terminal.write("\r\u{1B}[Kimporting \(file):\(share) \(lines) lines")
            }
        } else if !quiet && !dryRun {
            // For scripts: what a batched import has made durable, should it be stopped.
            options.committed = { throughLine, inserted in
                terminal.write("committed through line \(throughLine) (\(inserted) new call\(inserted == 1 ? "" : "s") so far)\n")
            }
        }
        let summary: ImportSummary
        do {
            summary = try target.importJSONL(path: file, pricing: try loadPricing(configuration), options: options)
        } catch let rejected as ImportRejected {
            if showProgress { terminal.write("\r\u{1B}[K") }
            Self.listRejected(rejected.summary)
            throw rejected
        } catch let failure as LineReader.Failure {
            throw ValidationError("cannot read \(failure.path): \(failure.reason)")
        }
        if showProgress { terminal.write("\r\u{1B}[K") }
        Self.listRejected(summary)
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        var line = dryRun
            ? "checked \(summary.linesRead - summary.blankLines) line\(summary.linesRead == 1 ? "" : "s") of \(file): \(summary.rejectedCount == 0 ? "all valid" : "\(summary.rejectedCount) invalid"), nothing written"
            : "imported \(summary.inserted) call\(summary.inserted == 1 ? "" : "s") from \(file)"
        var notes: [String] = []
        if summary.duplicates > 0 { notes.append("\(summary.duplicates) already in the ledger") }
        if summary.rejectedCount > 0 { notes.append("\(summary.rejectedCount) invalid line\(summary.rejectedCount == 1 ? "" : "s") skipped") }
        if !notes.isEmpty { line += " (" + notes.joined(separator: ", ") + ")" }
        line += String(format: " in %.2fs, %.0f lines/s\n", seconds, Double(summary.linesRead) / seconds)
        FileOutput.standardOutput.write(line)
        if dryRun && summary.rejectedCount > 0 { throw ExitCode(1) }
    }

    /// Names each rejected line as `file:line: reason`, the first 100 in full.
    static func listRejected(_ summary: ImportSummary) {
        for rejected in summary.rejected.prefix(100) {
            FileOutput.standardError.write("\(summary.path):\(rejected.number): \(rejected.reason)\n")
        }
        if summary.rejectedCount > 100 {
            FileOutput.standardError.write("\(summary.path): ... and \(summary.rejectedCount - 100) more invalid lines\n")
        }
    }
}
