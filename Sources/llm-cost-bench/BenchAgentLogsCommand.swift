import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost-bench agent-logs`: the first import of a large tree of Claude Code transcripts,
/// beside a bare pass of a JSON parser over the same lines; the re-scan of an unchanged tree
/// of many files; and how fast `--watch` picks up appended lines.
struct BenchAgentLogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-logs",
        abstract: "Import of Claude Code logs vs a bare JSON pass; unchanged re-scan; watch pick-up latency.")

    @Option(help: "Size of the transcript tree to import, in MB.") var megabytes = 1024
    @Option(help: "Sessions in that tree.") var sessions = 400
    @Option(help: "Files in the tree re-scanned unchanged.") var rescanFiles = 10_000
    @Option(help: "Appends measured for the watch pick-up latency.") var appends = 20

    func run() async throws {
        let folder = try makeBenchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = FileOutput.standardOutput

        var generator = SyntheticClaudeLogs(seed: 7)
        let big = try generator.write(megabytes: megabytes, files: sessions, under: folder.path + "/big")
        out.write("tree: \(big.files.count) files, \(big.bytes >> 20) MB, \(big.lines) lines, \(big.expected.count) billed requests\n")

        // The same lines through Foundation's JSON parser, parsing only: the floor of any
        // reader that builds values.
        let bare = try Self.time {
            var lines = 0
            for path in big.files {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                var start = data.startIndex
                while let newline = data[start...].firstIndex(of: 0x0A) {
                    _ = try JSONSerialization.jsonObject(with: data[start..<newline])
                    lines += 1
                    start = newline + 1
                }
            }
            return lines
        }
        out.write(String(format: "bare JSONSerialization pass: %.2f s (%.0f MB/s)\n", bare.seconds, Double(big.bytes >> 20) / bare.seconds))

        let ledger = try Ledger(path: folder.path + "/ledger.sqlite")
        let pricing = try PriceTableLoader.load(userDirectory: nil)
        let importer = AgentLogImporter(ledger: ledger, pricing: pricing)
        let first = try Self.time {
            let discovery = AgentLogImporter.discover([(.claudeCode, [folder.path + "/big"])], environment: [:])
            return try importer.importFiles(discovery.files).inserted
        }
        out.write(String(format: "first import: %.2f s (%.0f MB/s), %d requests; ratio to the bare pass %.2f\n",
            first.seconds, Double(big.bytes >> 20) / first.seconds, first.value, first.seconds / bare.seconds))
        let report = try ledger.report(ReportQuery(groupBy: [.model]))
        let expected = big.expected.values.reduce(Usage.zero, +)
        out.write("exact: \(report.total.usage == expected && report.total.calls == Int64(big.expected.count) ? "yes" : "NO") (\(report.total.calls) calls, \(report.total.usage.totalTokens) tokens; expected \(big.expected.count), \(expected.totalTokens))\n")

        let unchangedBig = try Self.time {
            let discovery = AgentLogImporter.discover([(.claudeCode, [folder.path + "/big"])], environment: [:])
            return try importer.importFiles(discovery.files).filesRead
        }
        out.write(String(format: "re-scan, unchanged (%d files): %.1f ms\n", big.files.count, unchangedBig.seconds * 1000))

        // Many small files, as a year of sessions leaves them.
        var small = SyntheticClaudeLogs(seed: 8)
        let many = try small.write(megabytes: max(1, rescanFiles / 256), files: rescanFiles, under: folder.path + "/many")
        _ = try importer.importFiles(AgentLogImporter.discover([(.claudeCode, [folder.path + "/many"])], environment: [:]).files)
        var samples: [Double] = []
        for _ in 0..<5 {
            let rescan = try Self.time {
                let discovery = AgentLogImporter.discover([(.claudeCode, [folder.path + "/many"])], environment: [:])
                return try importer.importFiles(discovery.files).filesRead
            }
            guard rescan.value == 0 else { throw CommandFailure.runtime("an unchanged file was read again") }
            samples.append(rescan.seconds * 1000)
        }
        samples.sort()
        let walk = try Self.time { AgentLogImporter.discover([(.claudeCode, [folder.path + "/many"])], environment: [:]).files.count }
        let positions = try Self.time { try ledger.agentLogFilePositions().count }
        out.write(String(format: "re-scan, unchanged (%d files): median %.1f ms, best %.1f ms (walk and stat %.1f ms, read positions %.1f ms)\n",
            many.files.count, samples[2], samples[0], walk.seconds * 1000, positions.seconds * 1000))

        try await watchLatency(folder: folder, out: out)
    }

    /// The real `import --watch` as a child process: 100 lines appended in one write, timed
    /// until a reader of the ledger sees all of them.
    private func watchLatency(folder: URL, out: FileOutput) async throws {
        let logs = folder.appendingPathComponent("watched/-home-dev-w")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let file = logs.appendingPathComponent("S.jsonl")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let ledgerPath = folder.path + "/watch.sqlite"
        _ = try Ledger(path: ledgerPath)
        let child = Process()
        child.executableURL = BenchCommand.llmCostBinary
        child.arguments = ["import", "--from", "claude-code", logs.deletingLastPathComponent().path, "--watch", "--quiet", "--db", ledgerPath]
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        defer { child.terminate() }
        let reader = try Ledger(path: ledgerPath, options: Ledger.Options(readOnly: true))
        try await Task.sleep(for: .milliseconds(500))
        var latencies: [Double] = []
        var written = 0
        for round in 0..<appends {
            var lines = ""
            for index in 0..<100 {
                written += 1
                let id = "m\(round)_\(index)"
                lines += #"{"type":"assistant","sessionId":"S","timestamp":"2026-12-01T08:00:00.000Z","requestId":"r\#(id)","message":{"id":"\#(id)","model":"claude-sonnet-4-5","content":[{"type":"text","text":"done"}],"usage":{"input_tokens":3,"output_tokens":40,"cache_read_input_tokens":12000}}}"# + "\n"
            }
            let handle = try FileHandle(forWritingTo: file)
            try handle.seekToEnd()
            let start = ContinuousClock.now
            try handle.write(contentsOf: Data(lines.utf8))
            try handle.close()
            while try reader.callCount() < written {
                guard ContinuousClock.now - start < .seconds(10) else { throw CommandFailure.runtime("--watch did not import the lines within 10 s") }
                usleep(200)
            }
            latencies.append((ContinuousClock.now - start).seconds * 1000)
            try await Task.sleep(for: .milliseconds(100))
        }
        latencies.sort()
        out.write(String(format: "--watch pick-up of 100 appended lines (%d rounds): median %.1f ms, p90 %.1f ms, worst %.1f ms\n",
            latencies.count, latencies[latencies.count / 2], latencies[latencies.count * 9 / 10], latencies[latencies.count - 1]))
    }

    static func time<T>(_ body: () throws -> T) throws -> (seconds: Double, value: T) {
        let start = ContinuousClock.now
        let value = try body()
        return ((ContinuousClock.now - start).seconds, value)
    }
}
