import Foundation
import LLMCost
import LLMCostCommandLine

/// The ledger's benchmark: every figure beside its reference, measured in the same run.
///
/// - write: synthetic calls through the real write path (rollups, dedupe keys, tags)
/// - import: a JSONL export of the file imported into a fresh ledger, against the sqlite3
///   shell's `.import` of the same rows as CSV into a plain table (SQLite's own bulk insert)
/// - record: one call per transaction, p50/p99, against a bare one-row WAL commit
/// - reports: the whole `llm-cost report` process against the sqlite3 shell running the raw
///   GROUP BY on the same file (the best plan it has: there is no covering index)
struct LedgerBenchmark {
    var path: String
    var calls: Int
    var runs: Int
    var binary: String
    var sqlite3: String = "/usr/bin/sqlite3"
    var reportsOnly = false

    private func say(_ text: String) { FileOutput.standardOutput.write(text + "\n") }

    func run() throws {
        try buildLedgerIfNeeded()
        if !reportsOnly {
            try measureRecord()
            try measureImport()
        }
        try measureReports()
        try measureHTMLReport()
    }

    /// A flat $3 / $15 per million tokens, so reports carry real sums.
    struct FlatPricing: CallPricing {
        func quote(for record: CallRecord) -> PriceQuote? {
            let usage = record.usage
            let nano = usage.inputTokens * 3 + usage.outputTokens * 15 + usage.cacheReadTokens * 3 / 10
                + (usage.cacheWrite5mTokens * 375 + usage.cacheWrite1hTokens * 600) / 100
            return PriceQuote(cost: Money(nanoUSD: nano), entryID: "bench/flat")
        }
    }

    private func buildLedgerIfNeeded() throws {
        if FileManager.default.fileExists(atPath: path) {
            let existing = try Ledger(path: path).callCount()
            if existing >= calls {
                say("ledger: \(path) already holds \(existing) calls")
                return
            }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let ledger = try Ledger(path: path, options: Ledger.Options(cacheSizeKiB: 512 * 1024))
        let end: Int64 = 1_795_000_000_000
        let start = end - 90 * 86_400_000
        let batch = 200_000
        let started = Date()
        var written = 0
        var pending: [CallRecord] = []
        pending.reserveCapacity(batch)
        try SyntheticWorkload.large.generate(count: calls, start: start, end: end, seed: 1) { record in
            pending.append(record)
            if pending.count == batch {
                try ledger.write(pricing: FlatPricing()) { session in for call in pending { try session.insert(call) } }
                written += pending.count
                pending.removeAll(keepingCapacity: true)
                FileOutput.standardError.write("\rwriting: \(written)/\(calls)")
            }
        }
        try ledger.write(pricing: FlatPricing()) { session in for call in pending { try session.insert(call) } }
        written += pending.count
        let seconds = Date().timeIntervalSince(started)
        FileOutput.standardError.write("\r\u{1B}[K")
        say(String(format: "write: %d calls in %.1f s = %.0f calls/s (generation included)", written, seconds, Double(written) / seconds))
    }

    private func measureRecord() throws {
        let folder = NSTemporaryDirectory() + "llm-cost-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledger = try Ledger(path: folder + "/record.sqlite")
        var samples: [Double] = []
        var records: [CallRecord] = []
        SyntheticWorkload.large.generate(count: 3000, start: 1_790_000_000_000, end: 1_790_086_400_000, seed: 9) { records.append($0) }
        for record in records {
            let started = DispatchTime.now().uptimeNanoseconds
            try ledger.record(record, pricing: FlatPricing())
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1000)
        }
        // Reference: a bare one-row insert and commit on a WAL file, same machine, same run.
        let reference = folder + "/reference.sqlite"
        try runShell([sqlite3, reference, "PRAGMA journal_mode=WAL; CREATE TABLE t(a INTEGER, b TEXT);"])
        let script = (0..<3000).map { "INSERT INTO t VALUES(\($0), 'x');" }.joined(separator: "\n")
        let referenceSeconds = try timeShell([sqlite3, reference], stdin: "PRAGMA synchronous=NORMAL;\n" + script)
        let kept = samples.dropFirst(100).sorted()
        let (p50, p99) = (percentile(kept, 0.5), percentile(kept, 0.99))
        say(String(format: "record one call: p50 %.1f us, p99 %.1f us (reference: sqlite3 shell, one-row autocommit insert in WAL, %.1f us mean incl. parsing)",
                   p50, p99, referenceSeconds / 3000 * 1e6))
    }

    private func measureImport() throws {
        let folder = NSTemporaryDirectory() + "llm-cost-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledger = try Ledger(path: path)
        let rows = min(calls, 1_000_000)
        let jsonl = folder + "/calls.jsonl"
        let csv = folder + "/calls.csv"
        guard let jsonlFile = FileHandle(forWritingAtPath: createEmpty(jsonl)),
              let csvFile = FileHandle(forWritingAtPath: createEmpty(csv)) else { return }
        var count = 0
        var jsonlBuffer = ""
        var csvBuffer = ""
        try ledger.forEachCall { record in
            guard count < rows else { return }
            count += 1
            jsonlBuffer += CallRecordJSONL.encode(record) + "\n"
            csvBuffer += CallExport.csvLine(record) + "\n"
            if jsonlBuffer.utf8.count > 1 << 20 {
                jsonlFile.write(Data(jsonlBuffer.utf8)); jsonlBuffer = ""
                csvFile.write(Data(csvBuffer.utf8)); csvBuffer = ""
            }
        }
        jsonlFile.write(Data(jsonlBuffer.utf8)); try jsonlFile.close()
        csvFile.write(Data(csvBuffer.utf8)); try csvFile.close()

        let ours = try timeShell([binary, "import", "--quiet", "--db", folder + "/import.sqlite", jsonl])
        let columns = CallRecordJSONL.fieldNames.map { "\"\($0)\"" }.joined(separator: ",")
        _ = try runShell([sqlite3, folder + "/reference.sqlite", "PRAGMA journal_mode=WAL; CREATE TABLE calls(\(columns));"])
        let reference = try timeShell([sqlite3, folder + "/reference.sqlite"], stdin: ".mode csv\n.import \(csv) calls\n")
        say(String(format: "import %d calls: llm-cost import %.2f s = %.0f calls/s; reference sqlite3 .import of the same rows as CSV into a plain table %.2f s = %.0f rows/s; ratio %.2fx",
                   count, ours, Double(count) / ours, reference, Double(count) / reference, ours / reference))
    }

    private func measureReports() throws {
        let emptyFolder = NSTemporaryDirectory() + "llm-cost-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: emptyFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: emptyFolder) }
        let empty = emptyFolder + "/empty.sqlite"
        _ = try runShell([binary, "report", "--db", empty])
        let cold = median((0..<max(runs, 3)).map { _ in (try? timeShell([binary, "report", "--db", empty])) ?? .nan })
        say(String(format: "cold report on an empty ledger: %.1f ms", cold * 1000))

        let measures = """
            COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_5m_tokens),
            SUM(cache_write_1h_tokens), SUM(reasoning_tokens), SUM(web_search_requests), SUM(web_fetch_requests),
            SUM(cost_nano), SUM(cost_nano IS NULL), SUM(status <> 0)
            """
        let monthStart: Int64 = 1_795_000_000_000 - 30 * 86_400_000 + 1_234_567
        let cases: [(String, [String], String)] = [
            ("by provider", ["--by", "provider"], "SELECT provider_id, \(measures) FROM calls GROUP BY provider_id"),
            ("by model", ["--by", "model"], "SELECT model_id, \(measures) FROM calls GROUP BY model_id"),
            ("by agent", ["--by", "agent"], "SELECT agent_id, \(measures) FROM calls GROUP BY agent_id"),
            ("by model,agent", ["--by", "model,agent"], "SELECT model_id, agent_id, \(measures) FROM calls GROUP BY model_id, agent_id"),
            ("by day (UTC)", ["--by", "day", "--tz", "UTC"], "SELECT ts_ms / 86400000, \(measures) FROM calls GROUP BY 1"),
            ("by week (Europe/Paris)", ["--by", "week", "--tz", "Europe/Paris"], "SELECT (ts_ms / 1000 + 3600 + 259200) / 604800, \(measures) FROM calls GROUP BY 1"),
            ("by month (America/New_York)", ["--by", "month", "--tz", "America/New_York"], "SELECT strftime('%Y-%m', ts_ms / 1000, 'unixepoch', '-5 hours'), \(measures) FROM calls GROUP BY 1"),
            ("last 30 days by model, mid-hour bounds", ["--by", "model", "--since", Timestamp.format(milliseconds: monthStart)],
             "SELECT model_id, \(measures) FROM calls WHERE ts_ms >= \(monthStart) GROUP BY model_id"),
            ("by session (session rollups)", ["--by", "session"],
             "SELECT n.name, g.* FROM (SELECT session_id, \(measures) FROM calls GROUP BY session_id) g LEFT JOIN names n ON n.id = g.session_id"),
            ("by tag:team (raw rows)", ["--by", "tag:team"],
             "SELECT ts.tags, g.* FROM (SELECT tag_set_id, \(measures) FROM calls GROUP BY tag_set_id) g LEFT JOIN tag_sets ts ON ts.id = g.tag_set_id"),
        ]
        say("reports on \(path) (whole process, median of \(runs); reference: sqlite3 shell, raw GROUP BY on the same file):")
        for (name, arguments, sql) in cases {
            var ours: [Double] = []
            var reference: [Double] = []
            for _ in 0..<runs {
                ours.append(try timeShell([binary, "report", "--db", path, "--format", "json"] + arguments))
                reference.append(try timeShell([sqlite3, path, sql]))
            }
            let oursMedian = median(ours)
            let referenceMedian = median(reference)
            let label = name.padding(toLength: max(42, name.count), withPad: " ", startingAt: 0)
            say("  " + label + String(format: " llm-cost %8.1f ms   sqlite3 %8.1f ms   ratio %.3f", oursMedian * 1000, referenceMedian * 1000, oursMedian / referenceMedian))
        }
    }

    /// `report --format html` (every panel: the time chart, breakdown, models, agents, the top
    /// sessions, budgets, cache, accuracy) beside `--format json` of the same query, whole
    /// process, in the same run.
    private func measureHTMLReport() throws {
        let ninetyDays = Timestamp.format(milliseconds: 1_795_000_000_000 - 90 * 86_400_000)
        let thirtyDays = Timestamp.format(milliseconds: 1_795_000_000_000 - 30 * 86_400_000 + 1_234_567)
        let cases: [(String, [String])] = [
            ("by day,model, whole ledger (90 days)", ["--by", "day,model", "--tz", "UTC"]),
            ("by day,model, --since 90 days before the last call", ["--by", "day,model", "--tz", "UTC", "--since", ninetyDays]),
            ("by agent, last 30 days, mid-hour start", ["--by", "agent", "--tz", "UTC", "--since", thirtyDays]),
        ]
        say("HTML report beside the JSON report of the same query (whole process, median of \(runs)):")
        for (name, arguments) in cases {
            var html: [Double] = []
            var json: [Double] = []
            for _ in 0..<runs {
                html.append(try timeShell([binary, "report", "--db", path, "--format", "html", "-o", "/dev/null"] + arguments))
                json.append(try timeShell([binary, "report", "--db", path, "--format", "json", "-o", "/dev/null"] + arguments))
            }
            let label = name.padding(toLength: max(52, name.count), withPad: " ", startingAt: 0)
            say("  " + label + String(format: " html %8.1f ms   json %8.1f ms   ratio %.2f", median(html) * 1000, median(json) * 1000, median(html) / median(json)))
        }
    }

    // MARK: - Helpers

    private func createEmpty(_ path: String) -> String {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    /// Runs a command to completion, output discarded; returns its wall time in seconds.
    private func timeShell(_ command: [String], stdin: String? = nil) throws -> Double {
        let started = DispatchTime.now().uptimeNanoseconds
        _ = try runShell(command, stdin: stdin)
        return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    }

    /// Spawns with posix_spawn (Foundation's `Process` adds tens of milliseconds per launch,
    /// which would swamp the figures), output discarded, optional standard input from a file.
    @discardableResult
    private func runShell(_ command: [String], stdin: String? = nil) throws -> Int32 {
        var inputPath = "/dev/null"
        if let stdin {
            inputPath = NSTemporaryDirectory() + "llm-cost-bench-stdin-\(UUID().uuidString)"
            try stdin.write(toFile: inputPath, atomically: false, encoding: .utf8)
        }
        defer { if stdin != nil { try? FileManager.default.removeItem(atPath: inputPath) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = command.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, command[0], &actions, nil, arguments, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
        var exitStatus: Int32 = 0
        while waitpid(pid, &exitStatus, 0) < 0 && errno == EINTR {}
        return exitStatus
    }
}
