import ArgumentParser
import Foundation
import LLMCost

/// `--from` of `llm-cost import`.
enum AgentLogChoice: String, ExpressibleByArgument, CaseIterable {
    case claudeCode = "claude-code"
    case codex
    case gemini
    case all

    var sources: [AgentLogSource] {
        switch self {
        case .claudeCode: [.claudeCode]
        case .codex: [.codex]
        case .gemini: [.gemini]
        case .all: AgentLogSource.allCases
        }
    }
}

/// `llm-cost import --from ...`: reads the agents' logs into the ledger and prints what it did.
struct AgentLogImportRun {
    let ledger: LedgerOptions
    let sources: [AgentLogSource]
    let paths: [String]?
    let quiet: Bool
    let watch: Bool

    func run() throws {
        let configuration = try ledger.loadConfiguration()
        let target = try ledger.openLedger(configuration, for: .create)
        let importer = AgentLogImporter(ledger: target, pricing: try loadPricing(configuration))
        let environment = ProcessInfo.processInfo.environment
        let terminal = FileOutput.standardError
        let showProgress = !quiet && terminal.isTerminal
        var unreadable = 0
        for source in sources {
            let started = ContinuousClock.now
            let discovery = AgentLogImporter.discover([(source, paths)], environment: environment)
            for problem in discovery.problems {
                terminal.write("\(problem.path): \(problem.reason)\n")
                unreadable += 1
            }
            var progress: (@Sendable (Int, Int, Int64) -> Void)?
            if showProgress {
                let name = source.rawValue
                progress = { done, total, bytes in
                    terminal.write("\r\u{1B}[K\(name): \(done)/\(total) files, \(bytes >> 20) MB")
                }
            }
            let summary = try importer.importFiles(discovery.files, progress: progress)
            if showProgress { terminal.write("\r\u{1B}[K") }
            Self.report(summary, source: source, seconds: (ContinuousClock.now - started).seconds)
        }
        if unreadable > 0 && paths != nil { throw ExitCode(1) }
    }

    /// One line per source, then the skipped lines and the unpriced models.
    static func report(_ summary: AgentLogImportSummary, source: AgentLogSource, seconds: Double) {
        var line = "\(source.rawValue): \(summary.files) file\(summary.files == 1 ? "" : "s")"
        if summary.files > 0 { line += " (\(summary.filesRead) new or changed)" }
        line += ", \(summary.linesRead) line\(summary.linesRead == 1 ? "" : "s") read, "
        line += "\(summary.inserted) request\(summary.inserted == 1 ? "" : "s") recorded"
        var notes: [String] = []
        if summary.grown > 0 { notes.append("\(summary.grown) completed to their final counts") }
        if summary.duplicatesCollapsed > 0 { notes.append("\(summary.duplicatesCollapsed) duplicate\(summary.duplicatesCollapsed == 1 ? "" : "s") collapsed") }
        if summary.skippedCount > 0 { notes.append("\(summary.skippedCount) line\(summary.skippedCount == 1 ? "" : "s") skipped") }
        if !notes.isEmpty { line += " (" + notes.joined(separator: ", ") + ")" }
        line += String(format: " in %.2fs\n", seconds)
        FileOutput.standardOutput.write(line)
        for skipped in summary.skipped.prefix(20) {
            FileOutput.standardError.write("\(skipped.path):\(skipped.line): skipped: \(skipped.reason)\n")
        }
        if summary.skippedCount > 20 {
            FileOutput.standardError.write("... and \(summary.skippedCount - 20) more skipped lines\n")
        }
        for (model, count) in summary.unpricedModels.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
            FileOutput.standardOutput.write(
                "unpriced: \(model): \(count) request\(count == 1 ? "" : "s") (add its price in the pricing folder, then run llm-cost reprice)\n")
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
