import Foundation
import LLMCostSimulator
import LLMCostTestSupport
import Testing

/// The built binary against a ledger on a real PostgreSQL server: `--db postgres://...`.
@Suite struct PostgresLedgerCLITests {
    /// Sixteen `llm-cost prompt` processes in two groups, each group a "host" with its own home
    /// and config naming the same block budget, all against one PostgreSQL ledger at once: the
    /// calls let through never cost more than the limit, and each is recorded once.
    @Test func twoHostsOfEightProcessesNeverOverspendOneBudget() async throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let simulator = ProviderSimulator()
        try simulator.start()
        defer { simulator.stop() }
        let hosts = try (0..<2).map { _ in try CLIRunner.temporaryDirectory() }
        defer { for home in hosts { try? FileManager.default.removeItem(at: home) } }
        for home in hosts {
            // The same budget on both hosts: a worst case of ~$0.0008 and an actual cost of
            // ~$0.00009 per call, so $0.0015 admits calls only while spend plus holds fit.
            try """
                [[budgets]]
                name = "team-cap"
                period = "day"
                limit_usd = 0.0015
                action = "block"
                """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
        }
        let environment = database.environment.merging([
            "ANTHROPIC_API_KEY": "sk-test-0123456789", "ANTHROPIC_BASE_URL": simulator.baseURL.absoluteString,
        ]) { $1 }
        // The schema first, so the processes race on the budget, not on the migration.
        let first = try await CLIRunner.run(["budget", "status", "--db", database.url], home: hosts[0], environment: environment)
        #expect(first.status == 0, "\(first.stderr)")

        let processes = (0..<16).map { index in
            CLIRunner.process(
                ["prompt", "--db", database.url, "--provider", "anthropic", "--max-tokens", "50", "hello \(index)"],
                home: hosts[index % 2], environment: environment)
        }
        let outcomes = try await HeavyWorkSlots.shared.run(slots: nil) {
            try await onOwnThread { [processes] () throws -> [Int32] in
                for process in processes { try process.run() }
                return processes.map { $0.waitUntilExit(); return $0.terminationStatus }
            }
        }
        let succeeded = outcomes.filter { $0 == 0 }.count
        #expect(outcomes.allSatisfy { $0 == 0 || $0 == 3 }, "\(outcomes)")
        #expect(succeeded > 0 && succeeded < 16, "\(outcomes)")
        #expect(simulator.requests.count == succeeded)

        // Both hosts see the same spend: the successful calls, within the limit, none held.
        for home in hosts {
            let status = try await CLIRunner.run(["budget", "status", "--db", database.url, "--format", "json"], home: home, environment: environment)
            #expect(status.status == 0, "\(status.stderr)")
            let budget = try #require((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])?.first)
            let spent = try #require(Decimal(string: budget["spent_usd"] as? String ?? ""))
            #expect(spent > 0 && spent <= Decimal(string: "0.0015")!, "\(status.stdout)")
            #expect(budget["reserved_usd"] as? String == "0.000000000", "\(status.stdout)")
        }
    }

    /// `ledger copy` from a file to the server: `export` of both prints the same calls, a
    /// second copy adds none, `ledger info` counts them.
    @Test func ledgerCopyToTheServerIsExactAndIdempotent() async throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let file = home.appendingPathComponent("local.sqlite").path
        let imported = try await CLIRunner.run(
            ["import", "--db", file, "-"], stdin: LedgerCommandTests.sampleLines(count: 80).joined(separator: "\n"), home: home)
        #expect(imported.status == 0, "\(imported.stderr)")
        let copied = try await CLIRunner.run(["ledger", "copy", "--db", file, "--to", database.url], home: home, environment: database.environment)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("copied 80 calls") && copied.stdout.contains("80 new"), "\(copied.stdout)")
        let again = try await CLIRunner.run(["ledger", "copy", "--db", file, "--to", database.url], home: home, environment: database.environment)
        #expect(again.stdout.contains("0 new, 80 already there"), "\(again.stdout)")
        let local = try await CLIRunner.run(["export", "--db", file], home: home)
        let remote = try await CLIRunner.run(["export", "--db", database.url], home: home, environment: database.environment)
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(remote.stdout == local.stdout && !local.stdout.isEmpty)
        let info = try await CLIRunner.run(["ledger", "info", "--db", database.url], home: home, environment: database.environment)
        #expect(info.stdout.contains("calls: 80"), "\(info.stdout)")

        // Every report reads the same from both: groupings, zones, windows, blocks, the top few,
        // the repricing preview; the server's rollups verify; the HTML page renders.
        let reports: [[String]] = [
            ["report", "--format", "json", "--by", "model"],
            ["report", "--format", "json", "--by", "session", "--top", "3"],
            ["report", "--format", "json", "--by", "day", "--tz", "Asia/Kolkata"],
            ["report", "--format", "json", "--by", "provider,hour", "--since", "2026-11-18T02:30Z", "--tz", "UTC"],
            ["report", "--format", "csv", "--by", "block", "--tz", "UTC"],
            ["reprice", "--dry-run"],
        ]
        for arguments in reports {
            let fromFile = try await CLIRunner.run(arguments + ["--db", file], home: home)
            let fromServer = try await CLIRunner.run(arguments + ["--db", database.url], home: home, environment: database.environment)
            #expect(fromServer.status == 0, "\(arguments): \(fromServer.stderr)")
            #expect(fromServer.stdout == fromFile.stdout && !fromFile.stdout.isEmpty, "\(arguments)")
        }
        let verify = try await CLIRunner.run(["ledger", "verify", "--db", database.url], home: home, environment: database.environment)
        #expect(verify.status == 0 && verify.stdout.contains("rollups match 80 calls"), "\(verify.stdout) \(verify.stderr)")
        let page = home.appendingPathComponent("report.html").path
        let html = try await CLIRunner.run(
            ["report", "--format", "html", "--output", page, "--db", database.url], home: home, environment: database.environment)
        #expect(html.status == 0, "\(html.stderr)")
        #expect(try String(contentsOfFile: page, encoding: .utf8).contains("<svg"))
    }

    /// `import` of a JSONL file into the server: all or nothing, and again adds nothing.
    @Test func importIntoTheServerIsIdempotent() async throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let lines = LedgerCommandTests.sampleLines(count: 120).joined(separator: "\n")
        let first = try await CLIRunner.run(["import", "--db", database.url, "-"], stdin: lines, home: home, environment: database.environment)
        #expect(first.status == 0 && first.stdout.contains("imported 120 calls"), "\(first.stdout) \(first.stderr)")
        let again = try await CLIRunner.run(["import", "--db", database.url, "-"], stdin: lines, home: home, environment: database.environment)
        #expect(again.stdout.contains("imported 0 calls") && again.stdout.contains("120 already in the ledger"), "\(again.stdout)")
        let info = try await CLIRunner.run(["ledger", "info", "--db", database.url], home: home, environment: database.environment)
        #expect(info.stdout.contains("calls: 120"), "\(info.stdout)")
    }

    /// `import --from claude-code` into the server reads as into a file: the same requests,
    /// duplicates collapsed the same, the same reports; a second run finds nothing new (the read
    /// positions are in the server's ledger); a streamed message completed later grows its call
    /// there too, rollups with it.
    @Test func agentLogsImportIntoTheServerAsIntoAFile() async throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let root = home.appendingPathComponent("logs/projects")
        _ = try AgentLogImportCLITests.writeTree(under: root)
        let file = home.appendingPathComponent("local.sqlite").path
        let intoFile = try await CLIRunner.run(["import", "--db", file, "--from", "claude-code", root.path], home: home)
        let intoServer = try await CLIRunner.run(
            ["import", "--db", database.url, "--from", "claude-code", root.path], home: home, environment: database.environment)
        #expect(intoServer.status == 0, "\(intoServer.stderr)")
        #expect(intoServer.stdout.contains("7 requests recorded") && intoServer.stdout.contains("6 duplicates collapsed"), "\(intoServer.stdout)")
        for arguments in [["--by", "tag:project,agent"], ["--by", "session"], ["--by", "model,day", "--tz", "UTC"]] {
            let report = ["report", "--format", "json"] + arguments
            let fromFile = try await CLIRunner.run(report + ["--db", file], home: home)
            let fromServer = try await CLIRunner.run(report + ["--db", database.url], home: home, environment: database.environment)
            #expect(fromServer.stdout == fromFile.stdout && fromFile.status == 0, "\(arguments): \(fromServer.stderr)")
        }
        let again = try await CLIRunner.run(
            ["import", "--db", database.url, "--from", "claude-code", root.path], home: home, environment: database.environment)
        #expect(again.stdout.contains("4 files (0 new or changed), 0 lines read, 0 requests recorded"), "\(again.stdout)")

        // A message whose last snapshot is still being written, then completed.
        let folder = home.appendingPathComponent("p")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("S.jsonl")
        let billed = AgentLogImportCLITests.Billed(model: "claude-sonnet-4-5", input: 5, output: 300, cacheRead: 1_000)
        let first = AgentLogImportCLITests.assistant(
            session: "S", time: "2026-11-03T08:00:00.000Z", messageID: "m1", requestID: "r1", billed, output: 12) + "\n"
        let second = AgentLogImportCLITests.assistant(session: "S", time: "2026-11-03T08:00:01.000Z", messageID: "m1", requestID: "r1", billed)
        try (first + second.prefix(40)).write(to: log, atomically: true, encoding: .utf8)
        let partial = try await CLIRunner.run(
            ["import", "--db", database.url, "--from", "claude-code", folder.path], home: home, environment: database.environment)
        #expect(partial.stdout.contains("1 request recorded"), "\(partial.stdout)")
        try (first + second + "\n").write(to: log, atomically: true, encoding: .utf8)
        let completed = try await CLIRunner.run(
            ["import", "--db", database.url, "--from", "claude-code", folder.path], home: home, environment: database.environment)
        #expect(completed.stdout.contains("1 completed to their final counts"), "\(completed.stdout)")
        let verify = try await CLIRunner.run(["ledger", "verify", "--db", database.url], home: home, environment: database.environment)
        #expect(verify.status == 0 && verify.stdout.contains("rollups match 8 calls"), "\(verify.stdout) \(verify.stderr)")
    }

    @Test func recordIsIdempotentAndPasswordsStayOutOfMessages() async throws {
        let database = try TestServer.freshDatabase()
        defer { database.drop() }
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let call = ["record", "--db", database.url, "--provider", "openai", "--model", "gpt-4o", "--input", "1000", "--output", "10", "--request-id", "r1"]
        let recorded = try await CLIRunner.run(call, home: home, environment: database.environment)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let again = try await CLIRunner.run(call, home: home, environment: database.environment)
        #expect(again.stdout.contains("already recorded"), "\(again.stdout)")
        // A wrong password in the URL: refused, named, never printed.
        let url = database.url.replacingOccurrences(of: "postgres://llmcost@", with: "postgres://llmcost:Wr0ng-pass@")
        let refused = try await CLIRunner.run(["budget", "status", "--db", url], home: home)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("refused the login"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("Wr0ng-pass"), "\(refused.stderr)")
    }

    /// The proxy recording to a server that goes away mid-run: its calls still go through, wait
    /// in the local spool, and are recorded once the server is back, each exactly once.
    @Test func aServerThatGoesAwayMidRunLosesNoCall() async throws {
        let server = try OwnPostgresServer()
        defer { server.remove() }
        // A short connect timeout: calls made while the server is away wait for it that long.
        let url = server.url + "?connect_timeout=2"
        let proxy = try await RunningProxy.start(environment: ["PGPASSWORD": server.password], ledger: url)
        defer { proxy.stop() }
        let chat = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#
        for _ in 0..<3 { #expect(try await proxy.curl(path: "/v1/chat/completions", body: chat).hasPrefix("200\n")) }
        try server.halt()
        for _ in 0..<3 { #expect(try await proxy.curl(path: "/v1/chat/completions", body: chat).hasPrefix("200\n")) }
        try server.start()
        // The next call recorded brings the spooled ones in.
        #expect(try await proxy.curl(path: "/v1/chat/completions", body: chat).hasPrefix("200\n"))
        let home = proxy.home
        let deadline = ContinuousClock.now + .seconds(20)
        var recorded = 0
        while ContinuousClock.now < deadline {
            let status = try await CLIRunner.run(
                ["budget", "status", "--db", url, "--format", "json", "--config", home.appendingPathComponent("llm-cost.toml").path],
                home: home, environment: ["PGPASSWORD": server.password])
            recorded = try Self.calls(in: url, password: server.password, home: home)
            if recorded == 7 || status.status != 0 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(recorded == 7, "\(proxy.standardError)")
        #expect(proxy.standardError.contains("waits in"), "\(proxy.standardError)")
    }

    /// How many calls the ledger holds, read with psql (from outside, as a person would).
    static func calls(in url: String, password: String, home: URL) throws -> Int {
        let result = try CLIRunner.psql(url, password: password, "SELECT count(*) FROM llm_cost.calls", home: home)
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}

/// A PostgreSQL server of one test's own (it stops and starts it), through
/// `scripts/postgres-test-server.sh` with a folder of its own.
struct OwnPostgresServer {
    let folder: URL
    let url: String
    let password: String

    init() throws {
        folder = URL(fileURLWithPath: "/tmp/llm-cost-own-pg-\(UUID().uuidString.prefix(8))")
        let started = try Self.script("start", folder: folder)
        url = started.trimmingCharacters(in: .whitespacesAndNewlines)
        password = try String(contentsOf: folder.appendingPathComponent("password"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func halt() throws { _ = try Self.script("halt", folder: folder) }
    func start() throws { _ = try Self.script("start", folder: folder) }
    func remove() { _ = try? Self.script("stop", folder: folder) }

    private static func script(_ command: String, folder: URL) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("scripts/postgres-test-server.sh").path, command]
        var environment = ProcessInfo.processInfo.environment
        environment["LLM_COST_PG_DIR"] = folder.path
        process.environment = environment
        // A file, not a pipe: the server it starts inherits the descriptor and would keep a
        // pipe open forever.
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("pg-script-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        try process.run()
        process.waitUntilExit()
        let text = try String(contentsOf: outputFile, encoding: .utf8)
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "postgres-test-server.sh \(command) failed"])
        }
        return text
    }
}
