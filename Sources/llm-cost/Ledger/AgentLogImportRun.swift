import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

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
    var transactionDuration: Duration?

    func run() throws {
        let configuration = try ledger.loadConfiguration()
        let target = try ledger.openLedger(configuration, for: .create)
        var importer = AgentLogImporter(ledger: target, pricing: try loadPricing(configuration))
        if let transactionDuration { importer.transactionDuration = transactionDuration }
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
        if watch {
            try follow(importer: importer, environment: environment, configuration: configuration)
        }
        if unreadable > 0 && paths != nil { throw CommandFailure.runtimeReported }
    }

    /// `--watch`: imports lines as the agents write them, until interrupted. Every transaction
    /// is whole, so stopping it at any moment loses nothing and repeats nothing.
    private func follow(importer: AgentLogImporter, environment: [String: String], configuration: Configuration) throws {
        let roots = sources.map { (source: $0, paths: paths ?? $0.defaultRoots(environment: environment)) }
        let watcher = AgentLogWatcher(roots: roots)
        let status = LiveStatus(ledger: importer.ledger, zone: try resolveTimeZone(nil, configuration: configuration))
        let terminal = FileOutput.standardError
        let live = !quiet && terminal.isTerminal
        // A full re-scan now and then catches what no event announced (a root created later,
        // watches exhausted, a file system without inotify); unchanged files are not opened.
        let rescanInterval: Duration = watcher.isLive ? .seconds(30) : .seconds(2)
        var lastRescan = ContinuousClock.now
        if !quiet {
            terminal.write("watching \(roots.flatMap(\.paths).joined(separator: ", "))\(watcher.isLive ? "" : " (polling every 2 s)"); Ctrl-C to stop\n")
        }
        if live { terminal.write(status.line(imported: nil)) }
        while true {
            var files: [AgentLogFile] = []
            let changed = watcher.waitForChanges(timeoutMilliseconds: 1000)
            if ContinuousClock.now - lastRescan >= rescanInterval {
                files = AgentLogImporter.discover(roots.map { ($0.source, $0.paths) }, environment: environment).files
                lastRescan = ContinuousClock.now
            } else if !changed.isEmpty {
                var discovery = AgentLogDiscovery()
                for (path, source) in changed { discovery.add(root: path, source: source, explicit: false) }
                files = discovery.files
            }
            let summary = files.isEmpty ? nil : try importer.importFiles(files)
            if let summary, summary.inserted + summary.grown + summary.skippedCount > 0 {
                if live { terminal.write("\r\u{1B}[K") }
                for skipped in summary.skipped.prefix(20) {
                    terminal.write("\(skipped.path):\(skipped.line): skipped: \(skipped.reason)\n")
                }
                if !live && !quiet { FileOutput.standardOutput.write(status.line(imported: summary) + "\n") }
            }
            if live { terminal.write("\r\u{1B}[K" + status.line(imported: summary)) }
        }
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

/// The one-line status of `--watch`: today's spend, the active 5-hour block with its burn rate,
/// and the newest import.
struct LiveStatus {
    let ledger: Ledger
    let zone: TimeZone

    func line(imported: AgentLogImportSummary?) -> String {
        var parts: [String] = []
        let now = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let startOfDay = Int64(calendar.startOfDay(for: now).timeIntervalSince1970 * 1000)
        if let today = try? ledger.report(ReportQuery(since: startOfDay, timeZone: zone, groupBy: [])) {
            parts.append("today \(today.total.cost.formatted(places: today.total.cost.nanoUSD < 1_000_000_000 ? 4 : 2)) (\(today.total.calls) call\(today.total.calls == 1 ? "" : "s"))")
        }
        let nowMilliseconds = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        if let block = try? ledger.activeBillingBlock(now: nowMilliseconds) {
            parts.append(block.statusSummary(now: nowMilliseconds, timeZone: zone))
        }
        if let imported, imported.inserted + imported.grown > 0 {
            parts.append("+\(imported.inserted) new, \(imported.grown) completed")
        }
        var clock = Calendar(identifier: .gregorian)
        clock.timeZone = zone
        let time = clock.dateComponents([.hour, .minute, .second], from: now)
        parts.append(String(format: "%02d:%02d:%02d", time.hour ?? 0, time.minute ?? 0, time.second ?? 0))
        return parts.joined(separator: " · ")
    }
}

