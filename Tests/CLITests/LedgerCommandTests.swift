import Foundation
import LLMCostTestSupport
import LLMCostCore
import Testing

/// The ledger commands, run as a user runs them: the built binary on real files.
@Suite struct LedgerCommandTests {
    /// A JSONL file of `count` calls over two days, with known sums.
    static func sampleLines(count: Int, requestIDs: Bool = true) -> [String] {
        (0..<count).map { index in
            let models = ["gpt-4o", "claude-sonnet-4-5", "gpt-4o-mini"]
            let minute = index * 7
            let ts = String(format: "2026-11-%02dT%02d:%02d:00Z", 18 + minute / 1440, minute / 60 % 24, minute % 60)
            let id = requestIDs ? ",\"request_id\":\"r\(index)\"" : ""
            return #"{"ts":"\#(ts)","provider":"\#(index % 3 == 1 ? "anthropic" : "openai")","model":"\#(models[index % 3])","agent":"a\#(index % 4)","session":"s\#(index % 5)","tags":{"team":"t\#(index % 2)"}\#(id),"input_tokens":\#(100 + index),"output_tokens":\#(10 + index % 50),"cache_read_tokens":\#(index % 7),"cost_usd":"0.00\#(1000 + index)"}"#
        }
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func importThenReportGivesExactSums() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let lines = Self.sampleLines(count: 300)
        let file = home.appendingPathComponent("calls.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)

        let imported = try await CLIRunner.run(["import", file.path], home: home)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported 300 calls"))

        let report = try await CLIRunner.run(["report", "--by", "model", "--format", "json", "--tz", "UTC"], home: home)
        #expect(report.status == 0, "\(report.stderr)")
        let object = try json(report.stdout)
        #expect(object["group_by"] as? [String] == ["model"])
        let rows = try #require(object["rows"] as? [[String: Any]])
        let total = try #require(object["total"] as? [String: Any])
        #expect(total["calls"] as? Int == 300)
        #expect(total["input_tokens"] as? Int == (0..<300).map { 100 + $0 }.reduce(0, +))
        // 300 costs of 0.00(1000+i) USD: exact decimal sum, as a string.
        let expectedNano = (0..<300).map { Int64(1000 + $0) * 1000 }.reduce(0, +)  // "0.001000" USD is 1,000,000 nano
        #expect(total["cost_usd"] as? String == String(format: "%d.%09d", expectedNano / 1_000_000_000, expectedNano % 1_000_000_000))
        let rowCalls = rows.compactMap { $0["calls"] as? Int }.reduce(0, +)
        #expect(rowCalls == 300)
        let gpt4o = try #require(rows.first { ($0["key"] as? [String: Any])?["model"] as? String == "gpt-4o" })
        #expect(gpt4o["calls"] as? Int == 100)

        // Importing the same file again changes nothing.
        let again = try await CLIRunner.run(["import", file.path], home: home)
        #expect(again.stdout.contains("imported 0 calls"))
        #expect(again.stdout.contains("300 already in the ledger"))
        let verify = try await CLIRunner.run(["ledger", "verify"], home: home)
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// A mistyped `--db` must not quietly report an empty new ledger: reading commands fail and
    /// create nothing; recording commands create the file.
    @Test func readingCommandsNeverCreateALedger() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let typo = home.appendingPathComponent("ledgr.sqlite").path
        for arguments in [["report"], ["export"], ["ledger", "info"], ["ledger", "verify"], ["budget", "status"]] {
            let result = try await CLIRunner.run(arguments + ["--db", typo], home: home)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("no ledger at \(typo)"), "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: typo), "\(arguments) created the ledger")
        }
        let file = home.appendingPathComponent("calls.jsonl")
        try (Self.sampleLines(count: 3).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let imported = try await CLIRunner.run(["import", file.path, "--db", typo], home: home)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try await CLIRunner.run(["report", "--db", typo], home: home).status == 0)
    }

    /// A server URL is never taken for a file path (it would make folders named after the
    /// host), and its password is never printed back, by errors or by `config show`.
    @Test func aServerURLIsNeverAFileAndItsPasswordNeverShows() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let url = "postgres://team:hunter2@127.0.0.1:1/ledger"
        for arguments in [["report"], ["record", "--provider", "openai", "--model", "gpt-4o", "--input", "1"]] {
            let result = try await CLIRunner.run(arguments + ["--db", url], home: home)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("postgres://team:***@127.0.0.1:1/ledger"), "\(arguments): \(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains("hunter2"), "\(arguments)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.path).allSatisfy { !$0.hasPrefix("postgres") })
        let shown = try await CLIRunner.run(["config", "show"], home: home, environment: ["LLM_COST_DB": url])
        #expect(shown.stdout.contains("ledger.path = \"postgres://team:***@127.0.0.1:1/ledger\""), "\(shown.stdout)")
        #expect(!shown.stdout.contains("hunter2"))
    }

    @Test func reportFormatsAndGroupings() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let lines = Self.sampleLines(count: 50)
        _ = try await CLIRunner.run(["import", "-"], stdin: lines.joined(separator: "\n"), home: home)
        let table = try await CLIRunner.run(["report", "--by", "agent,day", "--tz", "UTC"], home: home)
        #expect(table.status == 0)
        #expect(table.stdout.contains("AGENT"))
        #expect(table.stdout.contains("2026-11-18"))
        #expect(table.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
        let csv = try await CLIRunner.run(["report", "--by", "tag:team", "--format", "csv"], home: home)
        #expect(csv.stdout.hasPrefix("tag:team,calls,"))
        #expect(csv.stdout.contains("\nTOTAL,50,"))
        let markdown = try await CLIRunner.run(["report", "--by", "session", "--format", "markdown"], home: home)
        // By session: each session's project (none here: no project tag), first and last call.
        #expect(markdown.stdout.hasPrefix("| SESSION | PROJECT | FIRST | LAST | CALLS |"))
        #expect(markdown.stdout.contains("\n| s0 | (none) | 2026-11-18 00:00 | "))
        // --top: the most expensive sessions (s4 and s3 hold the dearest calls), the total still all 50.
        let top = try json(try await CLIRunner.run(["report", "--by", "session", "--top", "2", "--format", "json"], home: home).stdout)
        let topSessions = try #require(top["rows"] as? [[String: Any]]).map { ($0["key"] as? [String: Any])?["session"] as? String }
        #expect(topSessions == ["s4", "s3"])
        #expect((top["total"] as? [String: Any])?["calls"] as? Int == 50)
        for refused in [["--top", "0"], ["--top", "3", "--by", "day"], ["--top", "3", "--by", "block"]] {
            let result = try await CLIRunner.run(["report"] + refused, home: home)
            #expect(result.status == 2, "\(refused): \(result.stderr)")
            #expect(result.stderr.contains("--top"), "\(refused): \(result.stderr)")
        }
        let filtered = try await CLIRunner.run(["report", "--model", "gpt-4o", "--tag", "team=t0", "--format", "json", "--by", "provider"], home: home)
        let total = try #require(try json(filtered.stdout)["total"] as? [String: Any])
        #expect(total["calls"] as? Int == (0..<50).filter { $0 % 3 == 0 && $0 % 2 == 0 }.count)
    }

    @Test func invalidLinesAreNamedAndNothingIsImported() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        var lines = Self.sampleLines(count: 10)
        lines[3] = #"{"ts":"2026-11-18T00:00:00Z","provider":"openai","model":"gpt-4o","input_tokens":"many"}"#
        lines[7] = "not json"
        let file = home.appendingPathComponent("bad.jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)

        let strict = try await CLIRunner.run(["import", file.path], home: home)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("bad.jsonl:4: column"))
        #expect(strict.stderr.contains("input_tokens: expected a non-negative integer"))
        #expect(strict.stderr.contains("bad.jsonl:8:"))
        #expect(strict.stderr.contains("nothing was imported"))
        let count = try await CLIRunner.run(["report", "--format", "json", "--by", "model"], home: home)
        #expect((try json(count.stdout)["total"] as? [String: Any])?["calls"] as? Int == 0)

        let lenient = try await CLIRunner.run(["import", "--skip-invalid", file.path], home: home)
        #expect(lenient.status == 0)
        #expect(lenient.stdout.contains("imported 8 calls"))
        #expect(lenient.stdout.contains("2 invalid lines skipped"))
        #expect(lenient.stderr.contains("bad.jsonl:8:"))
    }

    @Test func exportThenImportRoundTripsExactly() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let lines = Self.sampleLines(count: 120, requestIDs: false)
        _ = try await CLIRunner.run(["import", "-"], stdin: lines.joined(separator: "\n"), home: home)
        _ = try await CLIRunner.run(["record", "--provider", "x", "--model", "unknown-model", "--input", "5", "--at", "2026-11-19T00:00:00.5Z"], home: home)
        // A metered call's heuristic estimate (raw count and correction) travels too.
        let metered = #"{"ts":"2026-11-19T01:00:00Z","provider":"anthropic","model":"claude-haiku-4-5","input_tokens":90,"usage_source":"reported","estimated_input_tokens":99,"heuristic_input_tokens":80,"heuristic_correction_ppm":1237500}"#
        _ = try await CLIRunner.run(["import", "-"], stdin: metered, home: home)
        let first = try await CLIRunner.run(["export"], home: home)
        #expect(first.status == 0)
        #expect(first.stdout.split(separator: "\n").count == 122)
        #expect(first.stdout.contains(#""heuristic_input_tokens":80,"heuristic_correction_ppm":1237500"#))

        let second = home.appendingPathComponent("copy.sqlite").path
        let reimport = try await CLIRunner.run(["import", "--db", second, "-"], stdin: first.stdout, home: home)
        #expect(reimport.stdout.contains("imported 122 calls"), "\(reimport.stderr)")
        let exportedAgain = try await CLIRunner.run(["export", "--db", second], home: home)
        #expect(exportedAgain.stdout == first.stdout)
        // Re-importing the export into the original ledger recognises every call.
        let back = try await CLIRunner.run(["import", "-"], stdin: first.stdout, home: home)
        #expect(back.stdout.contains("imported 0 calls"))
        #expect(back.stdout.contains("(122 already in the ledger)"))

        let csv = try await CLIRunner.run(["export", "--format", "csv", "--since", "2026-11-19", "--tz", "UTC"], home: home)
        #expect(csv.stdout.hasPrefix("ts,provider,model,"))
        #expect(csv.stdout.contains("unknown-model"))
    }

    @Test func recordIsIdempotentOnRequestID() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let arguments = ["record", "--provider", "openai", "--model", "gpt-4o", "--input", "10", "--output", "5", "--cost-usd", "0.000125", "--request-id", "chatcmpl-1", "--tag", "team=x"]
        #expect(try await CLIRunner.run(arguments, home: home).stdout.hasPrefix("recorded"))
        #expect(try await CLIRunner.run(arguments, home: home).stdout.hasPrefix("already recorded"))
        let report = try await CLIRunner.run(["report", "--format", "json", "--by", "tag:team"], home: home)
        let total = try #require(try json(report.stdout)["total"] as? [String: Any])
        #expect(total["calls"] as? Int == 1)
        #expect(total["cost_usd"] as? String == "0.000125000")
    }

    @Test func usageErrorsExitTwoAndNameTheFlag() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let badGroup = try await CLIRunner.run(["report", "--by", "colour"], home: home)
        #expect(badGroup.status == 2)
        #expect(badGroup.stderr.contains("--by: unknown grouping \"colour\""))
        let badDate = try await CLIRunner.run(["report", "--since", "2026-02-31"], home: home)
        #expect(badDate.status == 2)
        #expect(badDate.stderr.contains("--since: cannot read \"2026-02-31\""))
        let badZone = try await CLIRunner.run(["report", "--tz", "Mars/Olympus"], home: home)
        #expect(badZone.status == 2)
        let badRecord = try await CLIRunner.run(["record", "--provider", "p", "--model", "m", "--output", "1", "--reasoning", "5"], home: home)
        #expect(badRecord.status == 2)
        #expect(badRecord.stderr.contains("reasoning_tokens (5) exceeds output_tokens (1)"))
        let negativeDemo = try await CLIRunner.run(["demo", "--calls=-1", "--db", home.appendingPathComponent("d.sqlite").path], home: home)
        #expect(negativeDemo.status == 2)
        #expect(negativeDemo.stderr.contains("--calls: expected 0 to 1000000"), "\(negativeDemo.stderr)")
        let twoTeams = try await CLIRunner.run(["record", "--provider", "p", "--model", "m", "--tag", "team=a", "--tag", "team=b"], home: home)
        #expect(twoTeams.status == 2)
        #expect(twoTeams.stderr.contains("the tag \"team\" is given twice"), "\(twoTeams.stderr)")
    }

    @Test func aCorruptLedgerIsAClearErrorAndIsNotTouched() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let path = home.appendingPathComponent("broken.sqlite")
        let garbage = Data(String(repeating: "this is not a database\n", count: 500).utf8)
        try garbage.write(to: path)
        let result = try await CLIRunner.run(["report", "--db", path.path], home: home)
        #expect(result.status == 1)
        #expect(result.stderr.contains("is not an llm-cost ledger"))
        #expect(result.stderr.contains(path.path))
        #expect(try Data(contentsOf: path) == garbage)
    }

    @Test func aLedgerLockedByAnotherProcessFailsCleanlyAndLosesNothing() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let db = home.appendingPathComponent("shared.sqlite").path
        let record = ["record", "--db", db, "--provider", "p", "--model", "m", "--input", "1"]
        #expect(try await CLIRunner.run(record + ["--request-id", "first"], home: home).status == 0)

        let holder = try SQLiteLockHolder(path: db)

        let blocked = try await CLIRunner.run(record + ["--request-id", "second"], home: home, environment: ["LLM_COST_BUSY_TIMEOUT_MS": "200"])
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("locked by another process"))
        // Reading commands open read-only connections: the held lock does not stop them.
        for reading in [["report", "--format", "json"], ["ledger", "info"], ["export"], ["ledger", "verify"]] {
            let result = try await CLIRunner.run(reading + ["--db", db], home: home, environment: ["LLM_COST_BUSY_TIMEOUT_MS": "200"])
            #expect(result.status == 0, "\(reading): \(result.stderr)")
        }
        try holder.release()

        #expect(try await CLIRunner.run(record + ["--request-id", "second"], home: home).status == 0)
        let report = try await CLIRunner.run(["report", "--db", db, "--format", "json"], home: home)
        #expect((try json(report.stdout)["total"] as? [String: Any])?["calls"] as? Int == 2)
    }

    @Test func configErrorsNameFileAndLineAndShowSaysWhereValuesCameFrom() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let config = home.appendingPathComponent("llm-cost.toml")
        try "[report]\ntimezone = \"UTC\"\nformats = \"json\"\n".write(to: config, atomically: true, encoding: .utf8)
        let bad = try await CLIRunner.run(["report"], home: home)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("\(config.path):3: unknown key \"report.formats\""))

        try "[report]\ntimezone = \"Asia/Tokyo\"\n".write(to: config, atomically: true, encoding: .utf8)
        let show = try await CLIRunner.run(["config", "show"], home: home, environment: ["LLM_COST_FORMAT": "csv"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("report.timezone = \"Asia/Tokyo\"    # \(config.path):2"))
        #expect(show.stdout.contains("report.format = \"csv\"    # env LLM_COST_FORMAT"))
        #expect(show.stdout.contains("report.group_by = [\"model\"]    # default"))
    }

    @Test func demoWritesAWeekAndReportsIt() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let demo = try await CLIRunner.run(["demo"], home: home)
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("Wrote 2000 synthetic calls"))
        for agent in ["researcher", "coder", "reviewer"] { #expect(demo.stdout.contains(agent)) }
        // The demo never touches the real ledger.
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("data/llm-cost/ledger.sqlite").path))
    }
}

/// Prices in the ledger follow the pricing table: at write time, and again after it changes.
@Suite struct PricedLedgerTests {
    @Test func importPricesFromTheTableAndRepriceFollowsAUserOverride() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let lines = [
            #"{"ts":"2026-11-18T10:00:00Z","provider":"openai","model":"gpt-4o","input_tokens":1000000,"request_id":"a"}"#,
            #"{"ts":"2026-11-18T11:00:00Z","provider":"inhouse","model":"tiny-1","input_tokens":2000000,"output_tokens":1000000,"request_id":"b"}"#,
            #"{"ts":"2026-11-18T12:00:00Z","provider":"inhouse","model":"tiny-1","input_tokens":10,"cost_usd":"5","request_id":"c"}"#,
        ]
        #expect(try await CLIRunner.run(["import", "-"], stdin: lines.joined(separator: "\n"), home: home).status == 0)
        func report() async throws -> [String: Any] {
            let output = try await CLIRunner.run(["report", "--by", "model", "--format", "json"], home: home)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
            return try #require(object["total"] as? [String: Any])
        }
        let before = try await report()
        #expect(before["unpriced_calls"] as? Int == 1)  // tiny-1 is in no table; the given $5 stays
        let gpt4oInput = try await CLIRunner.run(["cost", "--model", "gpt-4o", "--input", "1000000", "--format", "json"], home: home)
        let gpt4oCost = try #require((try JSONSerialization.jsonObject(with: Data(gpt4oInput.stdout.utf8)) as? [String: Any])?["cost_usd"] as? String)
        #expect(before["cost_usd"] as? String == (Money(decimalUSD: gpt4oCost)! + Money(decimalUSD: "5")!).decimalString)

        // The user adds a price for the in-house model; reprice picks it up, keeps the given cost.
        let pricing = home.appendingPathComponent("config/llm-cost/pricing")
        try FileManager.default.createDirectory(at: pricing, withIntermediateDirectories: true)
        try """
            provider = "inhouse"

            [[model]]
            id = "tiny-1"

            [[price]]
            model = "tiny-1"
            effective_from = 2026-01-01
            source = "https://example.com/internal-rates"
            input = "0.10"
            output = "0.40"
            """.write(to: pricing.appendingPathComponent("inhouse.toml"), atomically: true, encoding: .utf8)
        let dry = try await CLIRunner.run(["reprice", "--dry-run"], home: home)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would change 1 of 2"))
        #expect(try await report()["unpriced_calls"] as? Int == 1)
        let reprice = try await CLIRunner.run(["reprice"], home: home)
        #expect(reprice.stdout.contains("newly priced: 1"))
        let after = try await report()
        #expect(after["unpriced_calls"] as? Int == 0)
        // 2M input at $0.10 + 1M output at $0.40 = $0.60 more.
        #expect(after["cost_usd"] as? String == (Money(decimalUSD: gpt4oCost)! + Money(decimalUSD: "5.6")!).decimalString)
        #expect(try await CLIRunner.run(["ledger", "verify"], home: home).status == 0)
    }
}

/// Several processes writing one ledger file at once, as agents sharing a ledger do.
@Suite struct ConcurrentLedgerTests {
    @Test func sixteenProcessesRecordIntoAFreshLedgerAndNothingIsLost() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let db = home.appendingPathComponent("shared.sqlite").path
        // Each process records 20 calls; all start at once on a file none of them has created.
        let results = try (0..<16).map { worker in
            let lines = (0..<20).map { call in
                #"{"ts":"2026-11-20T10:\#(String(format: "%02d", call)):00Z","provider":"openai","model":"gpt-4o","agent":"w\#(worker)","input_tokens":\#(worker * 100 + call),"request_id":"w\#(worker)-\#(call)"}"#
            }
            let file = home.appendingPathComponent("w\(worker).jsonl")
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            return file
        }.map { file in
            // Fifteen others may hold the lock first: on a loaded 2-core CI machine, debug builds
            // queued past the default 5 s (seen once). What is tested is that nothing is lost.
            let process = CLIRunner.process(
                ["import", "--quiet", "--db", db, file.path], home: home, environment: ["LLM_COST_BUSY_TIMEOUT_MS": "60000"])
            let errors = file.appendingPathExtension("err")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
            return (process, errors)
        }
        let processes = results.map(\.0)
        try await onOwnThread { for process in processes { process.waitUntilExit() } }
        for (process, errors) in results where process.terminationStatus != 0 {
            Issue.record("exit \(process.terminationStatus): \(String(decoding: try Data(contentsOf: errors), as: UTF8.self))")
        }
        let report = try await CLIRunner.run(["report", "--db", db, "--by", "agent", "--format", "json"], home: home)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let total = try #require(object["total"] as? [String: Any])
        #expect(total["calls"] as? Int == 320)
        var expectedInput = 0
        for worker in 0..<16 { for call in 0..<20 { expectedInput += worker * 100 + call } }
        #expect(total["input_tokens"] as? Int == expectedInput)
        #expect(try await CLIRunner.run(["ledger", "verify", "--db", db], home: home).status == 0)
    }
}

/// Findings of a review, each pinned by a test.
@Suite struct LedgerReviewFixTests {
    @Test func emptyRequestIDsDoNotMergeCallsAndAbsurdCountsAreRejected() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let lines = (0..<5).map {
            #"{"ts":"2026-11-20T10:0\#($0):00Z","provider":"openai","model":"gpt-4o","input_tokens":\#($0 + 1),"request_id":""}"#
        }
        let imported = try await CLIRunner.run(["import", "-"], stdin: lines.joined(separator: "\n"), home: home)
        #expect(imported.stdout.contains("imported 5 calls"), "\(imported.stdout)")

        let huge = #"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"gpt-4o","input_tokens":5000000000000000000}"#
        let rejected = try await CLIRunner.run(["import", "-"], stdin: huge, home: home)
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("above the 1000000000000000 a call can have"))
        let costly = #"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"gpt-4o","cost_usd":"9000000000"}"#
        #expect(try await CLIRunner.run(["import", "-"], stdin: costly, home: home).stderr.contains("cost_usd: expected a cost between 0 and"))
    }

    @Test func repriceKeepsTheServiceTierOfEachCall() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let line = #"{"ts":"2026-11-20T10:00:00Z","provider":"openai","model":"gpt-4o","input_tokens":1000000,"tags":{"service_tier":"batch"},"request_id":"b1"}"#
        #expect(try await CLIRunner.run(["import", "-"], stdin: line, home: home).status == 0)
        let repriced = try await CLIRunner.run(["reprice", "--dry-run"], home: home)
        #expect(repriced.stdout.contains("would change 0 of 1"), "\(repriced.stdout)")
    }

    @Test func anOutOfRangeBusyTimeoutIsAConfigError() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try await CLIRunner.run(["report"], home: home, environment: ["LLM_COST_BUSY_TIMEOUT_MS": "3000000000"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("ledger.busy_timeout_ms: expected 0 to 86400000"))
    }
}
