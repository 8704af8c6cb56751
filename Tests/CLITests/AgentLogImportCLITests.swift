import Foundation
import Testing

/// `llm-cost import --from claude-code`, run as a user would, on transcript trees written here
/// from the documented format. Every expected total is computed in the test from the requests
/// it wrote, and every expected cost from `llm-cost cost` per request.
@Suite struct AgentLogImportCLITests {
    /// One billed request as the test means it: what the ledger must end up with.
    struct Billed {
        var model: String
        var input: Int64 = 0
        var output: Int64 = 0
        var cacheRead: Int64 = 0
        var cacheWrite5m: Int64 = 0
        var cacheWrite1h: Int64 = 0
        var webSearch: Int64 = 0
        var fast = false
    }

    static func usageJSON(_ b: Billed, output: Int64? = nil, oldCacheField: Bool = false, speed: Bool = false) -> String {
        var fields = [
            "\"input_tokens\":\(b.input)", "\"output_tokens\":\(output ?? b.output)",
            "\"cache_read_input_tokens\":\(b.cacheRead)",
            "\"cache_creation_input_tokens\":\(b.cacheWrite5m + b.cacheWrite1h)",
        ]
        if !oldCacheField {
            fields.append("\"cache_creation\":{\"ephemeral_5m_input_tokens\":\(b.cacheWrite5m),\"ephemeral_1h_input_tokens\":\(b.cacheWrite1h)}")
        }
        if b.webSearch > 0 { fields.append("\"server_tool_use\":{\"web_search_requests\":\(b.webSearch),\"web_fetch_requests\":0}") }
        if speed || b.fast { fields.append("\"speed\":\"\(b.fast ? "fast" : "standard")\"") }
        fields.append("\"service_tier\":\"standard\"")
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func assistant(
        session: String, time: String, messageID: String, requestID: String?, _ b: Billed, output: Int64? = nil,
        oldCacheField: Bool = false, sidechain: String? = nil, cwd: String = "/home/dev/app", branch: String = "main"
    ) -> String {
        let request = requestID.map { "\"requestId\":\"\($0)\"," } ?? ""
        let side = sidechain.map { "\"isSidechain\":true,\"agentId\":\"\($0)\"," } ?? "\"isSidechain\":false,"
        return """
            {"parentUuid":null,\(side)"userType":"external","cwd":"\(cwd)","sessionId":"\(session)","version":"2.1.45","gitBranch":"\(branch)",\(request)"type":"assistant","uuid":"\(UUID().uuidString)","timestamp":"\(time)","message":{"id":"\(messageID)","type":"message","role":"assistant","model":"\(b.model)","content":[{"type":"text","text":"ok \\"quoted\\" \\\\ done"}],"stop_reason":null,"usage":\(usageJSON(b, output: output, oldCacheField: oldCacheField))}}
            """
    }

    static func progress(session: String, time: String, agentID: String, messageID: String, requestID: String, _ b: Billed) -> String {
        """
        {"type":"progress","sessionId":"\(session)","cwd":"/home/dev/app","gitBranch":"main","version":"2.1.45","timestamp":"\(time)","parentToolUseID":"toolu_9","data":{"type":"agent_progress","agentId":"\(agentID)","prompt":"look","message":{"type":"assistant","requestId":"\(requestID)","timestamp":"\(time)","message":{"id":"\(messageID)","model":"\(b.model)","role":"assistant","content":[],"usage":\(usageJSON(b))}}}}
        """
    }

    static let user = #"{"type":"user","sessionId":"S1","cwd":"/home/dev/app","timestamp":"2026-11-02T09:00:00.000Z","message":{"role":"user","content":[{"type":"tool_result","content":"line \"usage\": {\n\ttabs"}]}}"#

    /// The requests of the fixture tree, by the key the ledger must collapse copies to.
    static let sonnetStream = Billed(model: "claude-sonnet-4-5", input: 3, output: 159, cacheRead: 29_818, cacheWrite1h: 3_332)
    static let sonnetOld = Billed(model: "claude-sonnet-4-5-20250929", input: 12, output: 480, cacheRead: 10_000, cacheWrite5m: 2_048)
    static let subagentHaiku = Billed(model: "claude-haiku-4-5", input: 250, output: 75, cacheRead: 4_000, cacheWrite5m: 500)
    static let searching = Billed(model: "claude-sonnet-4-5", input: 40, output: 900, cacheRead: 50_000, webSearch: 3)
    static let fastOpus = Billed(model: "claude-opus-4-6", input: 8, output: 1_200, cacheRead: 60_000, cacheWrite5m: 100, fast: true)
    static let gatewayA = Billed(model: "claude-sonnet-4-5", input: 1_000, output: 10)
    static let gatewayB = Billed(model: "claude-sonnet-4-5", input: 2_000, output: 20)

    /// Writes the fixture tree under `root` (a `projects` folder) and returns the requests billed.
    static func writeTree(under root: URL) throws -> [Billed] {
        let project = root.appendingPathComponent("-home-dev-app")
        try FileManager.default.createDirectory(at: project.appendingPathComponent("S1/subagents"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("-home-dev-gw"), withIntermediateDirectories: true)
        let main = [
            user,
            // One response written per content block, output growing: the last is billed.
            assistant(session: "S1", time: "2026-11-02T09:00:01.000Z", messageID: "msg_A", requestID: "req_A", sonnetStream, output: 9),
            assistant(session: "S1", time: "2026-11-02T09:00:02.000Z", messageID: "msg_A", requestID: "req_A", sonnetStream, output: 9),
            assistant(session: "S1", time: "2026-11-02T09:00:03.000Z", messageID: "msg_A", requestID: "req_A", sonnetStream),
            // Older logs: only cache_creation_input_tokens (5-minute writes).
            assistant(session: "S1", time: "2026-11-02T09:01:00.000Z", messageID: "msg_B", requestID: "req_B", sonnetOld, oldCacheField: true),
            // A client-side notice: not billed, not a model.
            #"{"type":"assistant","sessionId":"S1","timestamp":"2026-11-02T09:01:30.000Z","isApiErrorMessage":true,"message":{"id":"0f1e","model":"<synthetic>","role":"assistant","content":[{"type":"text","text":"API Error: Request was aborted."}],"usage":{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}"#,
            // The sub-agent's request relayed into the parent's log (and in its own file below).
            progress(session: "S1", time: "2026-11-02T09:02:00.000Z", agentID: "a7f3", messageID: "msg_C", requestID: "req_C", subagentHaiku),
            assistant(session: "S1", time: "2026-11-02T09:03:00.000Z", messageID: "msg_D", requestID: "req_D", searching),
            assistant(session: "S1", time: "2026-11-02T09:04:00.000Z", messageID: "msg_E", requestID: "req_E", fastOpus),
            "this line is not JSON",
            #"{"type":"assistant","sessionId":"S1","timestamp":"2026-11-02T09:05:00.000Z","message":{"id":"msg_F","model":"claude-sonnet-4-5","usage":{"input_tokens":-4,"output_tokens":1}}}"#,
        ]
        try (main.joined(separator: "\n") + "\n").write(to: project.appendingPathComponent("S1.jsonl"), atomically: true, encoding: .utf8)
        let subagent = [
            assistant(session: "S1", time: "2026-11-02T09:02:00.000Z", messageID: "msg_C", requestID: "req_C", subagentHaiku, output: 20, sidechain: "a7f3"),
            assistant(session: "S1", time: "2026-11-02T09:02:00.500Z", messageID: "msg_C", requestID: "req_C", subagentHaiku, sidechain: "a7f3"),
        ]
        try (subagent.joined(separator: "\n") + "\n").write(to: project.appendingPathComponent("S1/subagents/agent-a7f3.jsonl"), atomically: true, encoding: .utf8)
        // A /btw side question replays a parent message under its id with a new request id.
        let aside = [assistant(session: "S1", time: "2026-11-02T09:06:00.000Z", messageID: "msg_A", requestID: "req_Z", sonnetStream, sidechain: "aside_question-1")]
        try (aside.joined(separator: "\n") + "\n").write(to: project.appendingPathComponent("S1/subagents/agent-aside_question-1.jsonl"), atomically: true, encoding: .utf8)
        // A gateway without request ids, reusing message ids across sessions: two requests.
        let gateway = [
            assistant(session: "G1", time: "2026-11-02T10:00:00.000Z", messageID: "msg_1", requestID: nil, gatewayA, cwd: "/home/dev/gw", branch: "dev"),
            assistant(session: "G1", time: "2026-11-02T10:00:00.500Z", messageID: "msg_1", requestID: nil, gatewayA, cwd: "/home/dev/gw", branch: "dev"),
            assistant(session: "G2", time: "2026-11-02T11:00:00.000Z", messageID: "msg_1", requestID: nil, gatewayB, cwd: "/home/dev/gw", branch: "dev"),
        ]
        try (gateway.joined(separator: "\n") + "\n").write(to: root.appendingPathComponent("-home-dev-gw/G.jsonl"), atomically: true, encoding: .utf8)
        return [sonnetStream, sonnetOld, subagentHaiku, searching, fastOpus, gatewayA, gatewayB]
    }

    /// The exact cost of one request, from `llm-cost cost`.
    static func cost(of b: Billed, home: URL) async throws -> Int64 {
        let result = try await CLIRunner.run([
            "cost", "--provider", "anthropic", "--model", b.model, "--at", "2026-11-02", "--format", "json",
            "--input", "\(b.input)", "--output", "\(b.output)", "--cache-read", "\(b.cacheRead)",
            "--cache-write-5m", "\(b.cacheWrite5m)", "--cache-write-1h", "\(b.cacheWrite1h)",
            "--web-search", "\(b.webSearch)", "--service-tier", b.fast ? "fast" : "standard",
        ], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return nanoDollars(object?["cost_usd"] as? String ?? "")
    }

    static func nanoDollars(_ text: String) -> Int64 {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let whole = Int64(parts[0]), let fraction = Int64(parts[1].padding(toLength: 9, withPad: "0", startingAt: 0)) else { return -1 }
        return whole * 1_000_000_000 + fraction
    }

    static func totals(_ home: URL, _ arguments: [String] = []) async throws -> [String: Any] {
        let result = try await CLIRunner.run(["report", "--format", "json"] + arguments, home: home)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return object ?? [:]
    }

    @Test func importsEveryRequestOnceAtItsFinalCountsAndExactCost() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let root = home.appendingPathComponent("logs/projects")
        let billed = try Self.writeTree(under: root)

        let imported = try await CLIRunner.run(["import", "--from", "claude-code", root.path], home: home)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("claude-code: 4 files (4 new or changed), 17 lines read, 7 requests recorded"), "\(imported.stdout)")
        // Copies: 2 snapshots of msg_A, the relayed and early copies of msg_C, the /btw replay,
        // the gateway's second snapshot.
        #expect(imported.stdout.contains("6 duplicates collapsed"), "\(imported.stdout)")
        #expect(imported.stdout.contains("2 lines skipped"), "\(imported.stdout)")
        #expect(imported.stderr.contains("S1.jsonl:10: skipped: not a JSON object"), "\(imported.stderr)")
        #expect(imported.stderr.contains("S1.jsonl:11: skipped: usage.input_tokens is not a whole non-negative number"), "\(imported.stderr)")

        let total = try await Self.totals(home)["total"] as? [String: Any] ?? [:]
        #expect(total["calls"] as? Int == billed.count)
        #expect(total["input_tokens"] as? Int64 == billed.reduce(0) { $0 + $1.input })
        #expect(total["output_tokens"] as? Int64 == billed.reduce(0) { $0 + $1.output })
        #expect(total["cache_read_tokens"] as? Int64 == billed.reduce(0) { $0 + $1.cacheRead })
        #expect(total["cache_write_5m_tokens"] as? Int64 == billed.reduce(0) { $0 + $1.cacheWrite5m })
        #expect(total["cache_write_1h_tokens"] as? Int64 == billed.reduce(0) { $0 + $1.cacheWrite1h })
        #expect(total["web_search_requests"] as? Int64 == 3)
        var expectedCost: Int64 = 0
        for request in billed { expectedCost += try await Self.cost(of: request, home: home) }
        #expect(Self.nanoDollars(total["cost_usd"] as? String ?? "") == expectedCost)

        // Attribution: the sub-agent apart, projects and branches from the log lines.
        let bySubagent = try await Self.totals(home, ["--by", "tag:subagent"])["rows"] as? [[String: Any]] ?? []
        let subagentRow = bySubagent.first { ($0["key"] as? [String: Any])?["tag:subagent"] as? String == "a7f3" }
        #expect(subagentRow?["calls"] as? Int == 1)
        #expect(subagentRow?["output_tokens"] as? Int == 75)
        let byProject = try await Self.totals(home, ["--by", "tag:project,agent"])["rows"] as? [[String: Any]] ?? []
        #expect(Set(byProject.compactMap { ($0["key"] as? [String: Any])?["tag:project"] as? String }) == ["/home/dev/app", "/home/dev/gw"])
        #expect(byProject.allSatisfy { ($0["key"] as? [String: Any])?["agent"] as? String == "claude-code" })

        // A second run finds nothing new and opens nothing.
        let again = try await CLIRunner.run(["import", "--from", "claude-code", root.path], home: home)
        #expect(again.stdout.contains("4 files (0 new or changed), 0 lines read, 0 requests recorded"), "\(again.stdout)")
    }

    @Test func readsOnlyWhatWasAppendedAndWaitsForHalfWrittenLines() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let folder = home.appendingPathComponent("p")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("S.jsonl")
        let b = Billed(model: "claude-sonnet-4-5", input: 5, output: 300, cacheRead: 1_000)
        // The first snapshot, complete; the second still being written (no newline yet).
        let first = Self.assistant(session: "S", time: "2026-11-03T08:00:00.000Z", messageID: "m1", requestID: "r1", b, output: 12) + "\n"
        let second = Self.assistant(session: "S", time: "2026-11-03T08:00:01.000Z", messageID: "m1", requestID: "r1", b)
        try (first + second.prefix(40)).write(to: file, atomically: true, encoding: .utf8)
        let one = try await CLIRunner.run(["import", "--from", "claude-code", folder.path], home: home)
        #expect(one.stdout.contains("1 line read, 1 request recorded"), "\(one.stdout)")
        #expect(!one.stdout.contains("skipped"))
        #expect((try await Self.totals(home)["total"] as? [String: Any])?["output_tokens"] as? Int == 12)

        // The rest of the line arrives: the larger copy replaces the counts, the call stays one.
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((second.dropFirst(40) + "\n").utf8))
        try handle.close()
        let two = try await CLIRunner.run(["import", "--from", "claude-code", folder.path], home: home)
        #expect(two.stdout.contains("1 line read, 0 requests recorded (1 completed to their final counts)"), "\(two.stdout)")
        var total = try await Self.totals(home)["total"] as? [String: Any] ?? [:]
        #expect(total["calls"] as? Int == 1)
        #expect(total["output_tokens"] as? Int == 300)
        #expect(Self.nanoDollars(total["cost_usd"] as? String ?? "") == (try await Self.cost(of: b, home: home)))

        // The rollups moved with the grown call.
        let verified = try await CLIRunner.run(["ledger", "verify"], home: home)
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")

        // Replaced by a shorter file (an editor, a rotation): read again from the start, and the
        // copies already counted are recognised.
        let third = Self.assistant(session: "S", time: "2026-11-03T09:00:00.000Z", messageID: "m2", requestID: "r2", b)
        try (first + third + "\n").write(to: file, atomically: true, encoding: .utf8)
        let three = try await CLIRunner.run(["import", "--from", "claude-code", folder.path], home: home)
        #expect(three.stdout.contains("2 lines read, 1 request recorded (1 duplicate collapsed)"), "\(three.stdout)")
        // The source file deleted: its calls stay.
        try FileManager.default.removeItem(at: file)
        _ = try await CLIRunner.run(["import", "--from", "claude-code", folder.path], home: home)
        total = try await Self.totals(home)["total"] as? [String: Any] ?? [:]
        #expect(total["calls"] as? Int == 2)
        #expect(total["output_tokens"] as? Int == 600)
    }

    @Test func findsTheDefaultPlacesAndHonoursClaudeConfigDir() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let b = Billed(model: "claude-sonnet-4-5", input: 1, output: 2)
        func write(_ folder: URL, id: String) throws {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try (Self.assistant(session: id, time: "2026-11-04T08:00:00.000Z", messageID: id, requestID: "r" + id, b) + "\n")
                .write(to: folder.appendingPathComponent("\(id).jsonl"), atomically: true, encoding: .utf8)
        }
        try write(home.appendingPathComponent(".claude/projects/-a"), id: "home")
        try write(home.appendingPathComponent("config/claude/projects/-b"), id: "xdg")
        try write(home.appendingPathComponent("one/projects/-c"), id: "one")
        try write(home.appendingPathComponent("two/projects/-d"), id: "two")

        let defaults = try await CLIRunner.run(["import", "--from", "claude-code", "--db", home.appendingPathComponent("d.sqlite").path], home: home)
        #expect(defaults.stdout.contains("claude-code: 2 files"), "\(defaults.stdout) \(defaults.stderr)")
        let listed = try await CLIRunner.run(
            ["import", "--from", "claude-code", "--db", home.appendingPathComponent("e.sqlite").path], home: home,
            environment: ["CLAUDE_CONFIG_DIR": "\(home.path)/one, \(home.path)/two"])
        #expect(listed.stdout.contains("claude-code: 2 files"), "\(listed.stdout) \(listed.stderr)")
        let sessions = try await CLIRunner.run(["report", "--by", "session", "--format", "csv", "--db", home.appendingPathComponent("e.sqlite").path], home: home)
        #expect(sessions.stdout.contains("one") && sessions.stdout.contains("two") && !sessions.stdout.contains("home,"), "\(sessions.stdout)")

        // A path that does not exist is an error; a bad --from is refused.
        let missing = try await CLIRunner.run(["import", "--from", "claude-code", home.appendingPathComponent("nope").path], home: home)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope: No such file or directory"), "\(missing.stderr)")
        let wrong = try await CLIRunner.run(["import", "--from", "cursor"], home: home)
        #expect(wrong.status != 0 && wrong.stderr.contains("claude-code"), "\(wrong.stderr)")
    }

    @Test func watchImportsLinesAsTheyAreWritten() async throws {
        let run = try WatchRun()
        defer { run.remove() }
        let folder = run.folder
        try run.watcher.run()
        defer { if run.watcher.isRunning { run.watcher.terminate() } }
        let b = Billed(model: "claude-sonnet-4-5", input: 7, output: 11)

        // A file appended line by line, then a session in a folder created after the start.
        let file = folder.appendingPathComponent("S.jsonl")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        for index in 1...3 {
            let handle = try FileHandle(forWritingTo: file)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((Self.assistant(session: "S", time: "2026-11-05T08:00:0\(index).000Z", messageID: "m\(index)", requestID: "r\(index)", b) + "\n").utf8))
            try handle.close()
            #expect(try await run.waitForCalls(index), "line \(index) not imported")
        }
        let later = folder.appendingPathComponent("new/sub")
        try FileManager.default.createDirectory(at: later, withIntermediateDirectories: true)
        try (Self.assistant(session: "T", time: "2026-11-05T09:00:00.000Z", messageID: "m9", requestID: "r9", b) + "\n")
            .write(to: later.appendingPathComponent("T.jsonl"), atomically: false, encoding: .utf8)
        #expect(try await run.waitForCalls(4), "a file in a new folder not imported")
        run.watcher.terminate()
    }

    /// A parent that spawns with SIGTERM blocked (Foundation's `Process` sometimes does) passes
    /// the mask on through exec; `--watch` must still stop on SIGTERM rather than outlive it.
    @Test func watchStopsOnSIGTERMEvenWhenStartedWithItBlocked() async throws {
        let run = try WatchRun()
        defer { run.remove() }
        let script = """
            import signal, subprocess, sys
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                child.wait(timeout=1)
                print("exited early", child.returncode)
            except subprocess.TimeoutExpired:
                child.terminate()
                try:
                    print("stopped", child.wait(timeout=20))
                except subprocess.TimeoutExpired:
                    child.kill()
                    print("ignored SIGTERM")
            """
        let launcher = Process()
        launcher.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        launcher.arguments = ["python3", "-c", script, CLIRunner.binaryURL.path] + (run.watcher.arguments ?? [])
        launcher.environment = run.watcher.environment
        let output = Pipe()
        launcher.standardOutput = output
        try launcher.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        launcher.waitUntilExit()
        #expect(printed.hasPrefix("stopped -15"), "\(printed)")
    }

    /// Without a terminal, `--watch` prints its status line after each import: the active
    /// 5-hour block's cost and pace come from the ledger as it is now.
    @Test func watchStatusShowsTheActiveBlockAndItsBurnRate() async throws {
        let run = try WatchRun()
        defer { run.remove() }
        let watcher = run.watcher
        let printed = PrintedLines.standardOutput(of: watcher)
        try watcher.run()
        defer { if watcher.isRunning { watcher.terminate() } }

        // Two calls of $0.45 each, 40 and 10 minutes ago: one block, started on the hour of the first.
        let now = Date()
        let stamp = ISO8601DateFormatter()
        stamp.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let b = Billed(model: "claude-sonnet-4-5", input: 100_000, output: 10_000)
        let file = run.folder.appendingPathComponent("S.jsonl")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        for (index, minutes) in [40, 10].enumerated() {
            let handle = try FileHandle(forWritingTo: file)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((Self.assistant(
                session: "S", time: stamp.string(from: now.addingTimeInterval(-Double(minutes) * 60)),
                messageID: "m\(index)", requestID: "r\(index)", b) + "\n").utf8))
            try handle.close()
            // The second line is written once the first is in: it is the watch loop's to import.
            if index == 0 { #expect(try await run.waitForCalls(1), "the first line not imported") }
        }

        var line: Substring?
        for _ in 0..<200 where line == nil {
            line = printed.text.split(separator: "\n").last { $0.contains("block ") }
            if line == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        watcher.terminate()
        let status = try #require(line, "no status line with a block: \(printed.text)")
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let startHour = utc.component(.hour, from: now.addingTimeInterval(-40 * 60))
        let block = String(format: "block %02d:00-%02d:00 $0.90 · $", startHour, (startHour + 5) % 24)
        #expect(status.contains(block), "\(status)")
        #expect(status.contains("+1 new"), "\(status)")
        // 40 minutes in: $0.90 over about 40 minutes is about $1.35 an hour.
        let rate = try #require(status.firstMatch(of: /\$([0-9.]+)\/h → \$([0-9.]+) by [0-9:]+, (?:[0-9]+h)?[0-9]+m left/), "\(status)")
        let perHour = try #require(Double(rate.1))
        #expect(perHour > 1.2 && perHour <= 1.36, "\(status)")
        #expect(try #require(Double(rate.2)) > 0.9, "\(status)")
    }
}

/// `import --from claude-code FOLDER --watch` on a folder and ledger of its own (not started).
private struct WatchRun {
    let home: URL
    let folder: URL
    let ledger: String
    let watcher: Process

    init() throws {
        home = try CLIRunner.temporaryDirectory()
        folder = home.appendingPathComponent("w")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        ledger = home.appendingPathComponent("w.sqlite").path
        watcher = CLIRunner.process(["import", "--from", "claude-code", folder.path, "--watch", "--db", ledger], home: home)
    }

    func remove() { try? FileManager.default.removeItem(at: home) }

    /// Whether the ledger holds `expected` calls within 10 s, checked from outside with sqlite3.
    func waitForCalls(_ expected: Int) async throws -> Bool {
        for _ in 0..<200 {
            if FileManager.default.fileExists(atPath: ledger),
                let result = try? CLIRunner.sqlite(ledger, "SELECT count(*) FROM calls", home: home),
                Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == expected
            {
                return true
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
