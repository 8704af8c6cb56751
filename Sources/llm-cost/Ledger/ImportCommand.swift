import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import calls from a JSON Lines file, or from the logs of Claude Code, Codex and Gemini CLI.",
        discussion: """
            A file (one call per line; see the README): all or nothing by default: if any line \
            is invalid, every bad line is named and nothing is imported. Calls already in the \
            ledger (same request id, or same content) are skipped, so importing a file twice is safe.

            --from claude-code|codex|gemini|all [PATH...]: the agents' own logs (default places \
            when no PATH is given). Incremental: a second run reads only what the agents have \
            appended since. Lines that cannot be read are skipped and named, never fatal.
            """)

    @OptionGroup var ledger: LedgerOptions

    @Argument(help: ArgumentHelp(
        "The file (- for standard input); with --from, log files or folders (default: the agent's own places).",
        valueName: "path"))
    var paths: [String] = []

    @Option(help: ArgumentHelp("Read an agent's logs: claude-code, codex, gemini or all.", valueName: "agent"))
    var from: AgentLogChoice?

    @Flag(help: "With --from: keep running and import new lines as the agents write them.")
    var watch = false

    /// How long one write transaction of an agent-log import may last (tests shorten it to kill
    /// an import between many commits).
    @Option(name: .customLong("transaction-ms"), help: .hidden) var transactionMilliseconds: Int?

    @Flag(name: .customLong("skip-invalid"), help: "Import the valid lines and list the invalid ones.")
    var skipInvalid = false

    @Flag(help: "No progress display.") var quiet = false

    @Flag(name: .customLong("dry-run"), help: "Check every line and report, but write nothing.")
    var dryRun = false

    func validate() throws {
        if from == nil {
            guard paths.count == 1 else {
                throw ValidationError(paths.isEmpty
                    ? "missing the file to import (or --from claude-code|codex|gemini|all)"
                    : "import reads one file at a time (or use --from with several log paths)")
            }
            if watch { throw ValidationError("--watch follows agent logs: use it with --from") }
        } else {
            if skipInvalid { throw ValidationError("--skip-invalid is for JSON Lines files: agent logs always skip (and name) bad lines") }
            if dryRun { throw ValidationError("--dry-run is for JSON Lines files") }
            if from == .all && !paths.isEmpty {
                throw ValidationError("--from all reads each agent's default places; name one agent to give paths")
            }
        }
    }

    var file: String { paths.first ?? "-" }

    func run() throws {
        if let from {
            try AgentLogImportRun(
                ledger: ledger, sources: from.sources, paths: paths.isEmpty ? nil : paths, quiet: quiet, watch: watch,
                transactionDuration: transactionMilliseconds.map { .milliseconds(max(1, $0)) }).run()
            return
        }
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
            throw CommandFailure.runtime("cannot read \(failure.path): \(failure.reason)")
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
        if dryRun && summary.rejectedCount > 0 { throw CommandFailure.runtimeReported }
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
