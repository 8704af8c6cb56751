import Foundation
import LLMCostTestSupport
import LLMCostCore
import LLMCostSimulator
import Testing

/// Crash safety, measured from outside: `llm-cost` writers sharing one ledger are killed with
/// SIGKILL at random points, and afterwards every write they acknowledged is in the ledger
/// exactly once, the file is intact and the rollups equal the raw rows.
///
/// The schedule (which runs are killed, when, and how) comes from a seed: set
/// `LLM_COST_CRASH_SEED` to replay another. Where a kill lands still depends on timing, so kill
/// points are drawn across each kind of run's measured lifetime rather than fixed in milliseconds.
@Suite(.serialized) struct CrashSafetyTests {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["LLM_COST_CRASH_SEED"].flatMap { UInt64($0) } ?? 20_261_118

    /// Points `anthropic` at the simulator.
    static func providerEnvironment(_ simulator: ProviderSimulator) -> [String: String] {
        ["ANTHROPIC_API_KEY": "sk-test-0123456789", "ANTHROPIC_BASE_URL": simulator.baseURL.absoluteString]
    }

    /// Writes a JSON Lines file just over the 16 MB past which `import` checks the whole file and
    /// then writes it in transactions of about a second; the call on line N has request id
    /// `imp-N`. Returns the number of lines.
    static func writeLargeImport(to url: URL) throws -> Int {
        let note = String(repeating: "n", count: 900) // long lines: the size in fewer calls
        var text = ""
        text.reserveCapacity(18 << 20)
        var line = 0
        while text.utf8.count <= 17 << 20 {
            line += 1
            let time = String(format: "2026-11-%02dT%02d:%02d:00.000Z", 10 + line / 1440, line / 60 % 24, line % 60)
            text += #"{"ts":"\#(time)","provider":"openai","model":"gpt-4o","agent":"importer-\#(line % 3)","#
                + #""session":"s-\#(line % 50)","tags":{"team":"t\#(line % 4)","note":"\#(note)"},"request_id":"imp-\#(line)","#
                + #""input_tokens":\#(100 + line % 1000),"output_tokens":\#(1 + line % 200)}"# + "\n"
        }
        try text.write(to: url, atomically: false, encoding: .utf8)
        return line
    }

    /// The request ids of the first `lines` lines of the large import.
    static func importIDs(through lines: Int) -> [String] {
        lines > 0 ? (1...lines).map { "imp-\($0)" } : []
    }

    /// Where a round kills the import.
    enum ImportKill {
        /// This long after it started: while it checks the file, or writes its first batch.
        case fromStart(Duration)
        /// This long after it first acknowledged a line past `line` (what earlier rounds had):
        /// right after, the acknowledgement must already be true; later, part way through a batch.
        case afterAcknowledging(past: Int, delay: Duration)
    }

    /// The last line an import acknowledged on its stderr (`committed through line N`), or 0.
    static func acknowledgedLine(in stderr: String) -> Int {
        stderr.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("committed through line ") else { return nil }
            return Int(line.dropFirst("committed through line ".count).prefix { $0.isNumber })
        }.max() ?? 0
    }

    /// Runs one `import` of `file`, killed as `plan` says (unless it finishes first), and returns
    /// the line through which it acknowledged the file: the last `committed through line N` on
    /// its stderr, or every line when it exited 0.
    static func importKilled(
        _ plan: ImportKill, file: URL, lines: Int, database: String, home: URL, environment: [String: String], tally: CrashTally
    ) throws -> Int {
        var acknowledgedAt: Duration?
        let ending = try ProcessKiller.run(["import", "--db", database, file.path], home: home, environment: environment) { elapsed, stderr in
            switch plan {
            case .fromStart(let delay):
                return elapsed >= delay
            case .afterAcknowledging(let past, let delay):
                if acknowledgedAt == nil, Self.acknowledgedLine(in: stderr()) > past { acknowledgedAt = elapsed }
                return acknowledgedAt.map { elapsed >= $0 + delay } ?? false
            }
        }
        tally.note(.import, ending)
        if !ending.killed {
            guard ending.status == 0, ending.stdout.hasPrefix("imported ") else {
                tally.fail("import exited \(ending.status): \(ending.stderr)")
                return 0
            }
            return lines
        }
        return Self.acknowledgedLine(in: ending.stderr)
    }

    /// `llm-cost record` again and again until `stop`, each with a request id of its own; about
    /// half are killed at a random point of their run. One that exits 0 is acknowledged.
    static func recordLoop(
        name: String, seed: UInt64, database: String, home: URL, environment: [String: String], tally: CrashTally, stop: Locked<Bool>
    ) {
        var random = SplitMix64(seed: seed)
        var index = 0
        while !stop.value {
            index += 1
            let requestID = "rec-\(name)-\(index)"
            let killAt: Duration? = Bool.random(using: &random)
                ? tally.randomPoint(in: .record, guess: .milliseconds(150), using: &random) : nil
            do {
                let ending = try ProcessKiller.run(
                    ["record", "--db", database, "--provider", "openai", "--model", "gpt-4o", "--agent", "recorder-\(name)",
                     "--input", "\(100 + index)", "--output", "\(1 + index % 50)", "--request-id", requestID],
                    home: home, environment: environment
                ) { elapsed, _ in killAt.map { elapsed >= $0 } ?? false }
                tally.note(.record, ending)
                if ending.killed { continue }
                if ending.status == 0 {
                    tally.acknowledge(requestID)
                } else {
                    tally.fail("record \(requestID) exited \(ending.status): \(ending.stderr)")
                }
            } catch {
                tally.fail("record \(requestID) did not start: \(error)")
            }
        }
    }

    /// `llm-cost prompt` against the simulator again and again until `stop`; about half are
    /// killed at a random point. One that printed its usage line is acknowledged (recorded, or
    /// spooled when the ledger stayed locked past its busy timeout).
    static func promptLoop(
        seed: UInt64, database: String, home: URL, environment: [String: String], tally: CrashTally, stop: Locked<Bool>
    ) {
        var random = SplitMix64(seed: seed)
        var index = 0
        while !stop.value {
            index += 1
            let killAt: Duration? = Bool.random(using: &random)
                ? tally.randomPoint(in: .prompt, guess: .milliseconds(300), using: &random) : nil
            do {
                let ending = try ProcessKiller.run(
                    ["prompt", "--db", database, "--provider", "anthropic", "--agent", "prompter", "--max-tokens", "20", "call \(index)"],
                    home: home, environment: environment
                ) { elapsed, _ in killAt.map { elapsed >= $0 } ?? false }
                tally.note(.prompt, ending)
                if let requestID = ending.stderr.promptRequestID { tally.acknowledge(requestID) }
                if !ending.killed, ending.status != 0 || ending.stderr.promptRequestID == nil {
                    tally.fail("prompt exited \(ending.status) without its usage line: \(ending.stderr)")
                }
            } catch {
                tally.fail("prompt did not start: \(error)")
            }
        }
    }

    /// Record loops, a batched import and metered calls share one ledger; each round kills the
    /// import (and about half of the other runs) at random points, then checks the ledger. At
    /// the end, running the killed import again finishes it. On a file, and on a server (where
    /// a killed client's transaction is rolled back by the server when its connection drops).
    @Test(arguments: ["sqlite", "postgres"])
    func writersKilledAtRandomLoseNoAcknowledgedWrite(_ backend: String) async throws {
        let server = try backend == "postgres" ? TestServer.freshDatabase() : nil
        defer { server?.drop() }
        // Every heavy-work slot: its writers and their kills want the machine to themselves.
        try await HeavyWorkSlots.shared.run(slots: nil) {
            let started = ContinuousClock.now
            let scene = try SimulatedHome()
            defer { scene.close() }
            let (simulator, home) = (scene.simulator, scene.home)
            // A hard budget far above what the calls cost: metered calls reserve and settle too.
            try """
                [[budgets]]
                name = "roomy"
                period = "total"
                limit_usd = 1000
                action = "block"
                """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
            let database = server?.url ?? home.appendingPathComponent("ledger.sqlite").path
            let password = server?.password
            let serverEnvironment = server?.environment ?? [:]
            let importFile = home.appendingPathComponent("large.jsonl")
            let (created, lines) = try await onOwnThread {
                (try CLIRunner.run(["import", "--db", database, "-"], stdin: "", home: home, environment: serverEnvironment),
                 try Self.writeLargeImport(to: importFile))
            }
            #expect(created.status == 0, "\(created.stderr)")
            // Writers wait for one another's lock (an import's batch holds it about a second, longer
            // on a loaded machine) well past the default 5 s, so none fails for being slow.
            let environment = Self.providerEnvironment(simulator).merging(["LLM_COST_BUSY_TIMEOUT_MS": "30000"]) { $1 }
                .merging(serverEnvironment) { $1 }
            let tally = CrashTally()
            var random = SplitMix64(seed: Self.seed)
            let rounds = 3
            var importedThrough = 0
            for round in 0..<rounds {
                // The first import dies while it checks the file or writes its first batch (about a
                // second each); the second part way through a batch past what is acknowledged; the
                // third within a few milliseconds of acknowledging new lines (a transaction's last
                // batch of rows commits that soon after it is written).
                let plan: ImportKill = switch round {
                case 0: .fromStart(.milliseconds(Int.random(in: 300...1500, using: &random)))
                case 1: .afterAcknowledging(past: importedThrough, delay: .milliseconds(Int.random(in: 0...1200, using: &random)))
                default: .afterAcknowledging(past: importedThrough, delay: .microseconds(Int.random(in: 0...5_000, using: &random)))
                }
                let seeds = (0..<3).map { _ in random.next() }
                let stop = Locked(false)
                let acknowledgedLines = Locked(0)
                try await onOwnThread { ProcessKiller.onThreads([
                    {
                        do {
                            let through = try Self.importKilled(
                                plan, file: importFile, lines: lines, database: database, home: home, environment: environment, tally: tally)
                            acknowledgedLines.update { $0 = through }
                        } catch {
                            tally.fail("import did not start: \(error)")
                        }
                        stop.update { $0 = true }
                    },
                    { Self.recordLoop(name: "\(round)a", seed: seeds[0], database: database, home: home, environment: environment, tally: tally, stop: stop) },
                    { Self.recordLoop(name: "\(round)b", seed: seeds[1], database: database, home: home, environment: environment, tally: tally, stop: stop) },
                    { Self.promptLoop(seed: seeds[2], database: database, home: home, environment: environment, tally: tally, stop: stop) },
                ]) }
                importedThrough = max(importedThrough, acknowledgedLines.value)
                // A metered call the ledger could not take waits in the spool: part of its promise.
                let recover = try await onOwnThread {
                    try CLIRunner.run(["ledger", "recover", "--db", database], home: home, environment: serverEnvironment)
                }
                #expect(recover.status == 0, "\(recover.stderr)")
                try await LedgerCheck.expectIntact(
                    database, home: home, password: password, acknowledged: tally.acknowledged + Self.importIDs(through: importedThrough),
                    "\(backend), seed \(Self.seed), round \(round) (\(plan))")
            }

            // The killed import, run again, finishes: every line once, the ones already in counted.
            let (before, rerun) = try await onOwnThread {
                (try LedgerCheck.rowsPerRequestID(database, home: home, password: password).keys.filter { $0.hasPrefix("imp-") }.count,
                 try CLIRunner.run(["import", "--db", database, importFile.path], home: home, environment: serverEnvironment))
            }
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(rerun.stdout.hasPrefix("imported \(lines - before) call"), "\(before) in before: \(rerun.stdout)")
            if before > 0 { #expect(rerun.stdout.contains("(\(before) already in the ledger"), "\(rerun.stdout)") }
            let acknowledged = tally.acknowledged + Self.importIDs(through: lines)
            let rows = try await LedgerCheck.expectIntact(
                database, home: home, password: password, acknowledged: acknowledged, "\(backend), seed \(Self.seed), after the re-run")
            #expect(rows.keys.filter { $0.hasPrefix("imp-") }.count == lines)

            #expect(tally.failures.isEmpty, "seed \(Self.seed): \(tally.failures.prefix(5))")
            #expect(tally.kills(of: .import) > 0)
            #expect(tally.kills(of: .record) > 0)
            #expect(tally.kills(of: .prompt) > 0)
            print("crash safety on \(backend) (seed \(Self.seed)): \(rounds) rounds; \(tally.summary); import acknowledged through line \(importedThrough) of \(lines) before the re-run; "
                + "\(acknowledged.count) acknowledged writes checked; \(ContinuousClock.now - started)")
        }
    }

    /// A batched import says, as each of its transactions commits, the line through which the
    /// file is in the ledger: what a caller can count on should the process die next.
    @Test func aBatchedImportSaysHowFarItHasCommitted() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let database = home.appendingPathComponent("ledger.sqlite").path
        let file = home.appendingPathComponent("calls.jsonl")
        let call = { (id: String) in
            #"{"ts":"2026-11-18T10:00:00Z","provider":"openai","model":"gpt-4o","request_id":"\#(id)","input_tokens":1,"output_tokens":1}"#
        }
        try [call("a"), "not json", call("b"), "", ""].joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = try await CLIRunner.run(["import", "--db", database, "--skip-invalid", file.path], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("committed through line 4 (2 new calls so far)\n"), "\(result.stderr)")
        let quiet = try await CLIRunner.run(["import", "--db", database, "--skip-invalid", "--quiet", file.path], home: home)
        #expect(quiet.status == 0)
        #expect(!quiet.stderr.contains("committed"), "\(quiet.stderr)")
    }

    /// The spool beside `database` and what recoveries left of it.
    static func spoolFiles(_ database: String) -> [String] {
        let folder = (database as NSString).deletingLastPathComponent
        let prefix = (database as NSString).lastPathComponent + ".unrecorded.jsonl"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix(prefix) }.sorted().map { folder + "/" + $0 }
    }

    /// Metered calls made while the `sqlite3` shell holds the write lock wait in the spool; then
    /// `ledger recover` and a recording `prompt` (which recovers the spool after its own call)
    /// are killed at random points, often just as a recovery starts. Nothing spooled is lost
    /// meanwhile, and the next recovery leaves every spooled call in the ledger exactly once.
    @Test func recoveriesKilledAtRandomRecordEverySpooledCallOnce() async throws {
        // Every heavy-work slot: its writers and their kills want the machine to themselves.
        try await HeavyWorkSlots.shared.run(slots: nil) {
            let started = ContinuousClock.now
            let scene = try SimulatedHome()
            defer { scene.close() }
            let (simulator, home) = (scene.simulator, scene.home)
            let database = home.appendingPathComponent("ledger.sqlite").path
            let environment = Self.providerEnvironment(simulator)
            let prompt = ["prompt", "--db", database, "--provider", "anthropic", "--max-tokens", "20"]
            let tally = CrashTally()
            // Creates the ledger, and shows how long a prompt takes here.
            let first = try await onOwnThread { try ProcessKiller.run(prompt + ["first"], home: home, environment: environment) { _, _ in false } }
            let firstID = try #require(first.stderr.promptRequestID, "\(first.stderr)")
            tally.acknowledge(firstID)
            var random = SplitMix64(seed: Self.seed ^ 0x5B001)
            var spooled: [String] = []
            let rounds = 6
            for round in 0..<rounds {
                // Four calls made while the sqlite3 shell holds the write lock wait in the spool.
                let spoolers = try await onOwnThread {
                    let holder = try SQLiteLockHolder(path: database, leavingWALNotEmpty: true)
                    let spoolers = Locked<[ProcessEnding]>([])
                    ProcessKiller.onThreads((0..<4).map { index in
                        {
                            do {
                                let ending = try ProcessKiller.run(
                                    prompt + ["round \(round), call \(index)"], home: home,
                                    environment: environment.merging(["LLM_COST_BUSY_TIMEOUT_MS": "100"]) { $1 }
                                ) { _, _ in false }
                                spoolers.update { $0.append(ending) }
                            } catch {
                                tally.fail("prompt did not start: \(error)")
                            }
                        }
                    })
                    try holder.release()
                    return spoolers.value
                }
                for ending in spoolers {
                    guard ending.status == 0, ending.stderr.contains("waits in \(database).unrecorded.jsonl"),
                        let requestID = ending.stderr.promptRequestID
                    else {
                        Issue.record("a call made while the ledger was locked did not spool: \(ending.status) \(ending.stderr)")
                        continue
                    }
                    spooled.append(requestID)
                }

                let victims: [WriterKind] = Bool.random(using: &random) ? [.recover, .recoveringPrompt] : [.recoveringPrompt, .recover]
                for kind in victims {
                    // Half the time just after the spool files change (a recovery renamed the spool
                    // to read it, or finished one: a window of a few milliseconds), else anywhere in
                    // the run.
                    let onSpoolChange = Bool.random(using: &random)
                    let jitter = Duration.microseconds(Int.random(in: 0...8_000, using: &random))
                    let point = tally.randomPoint(in: kind, guess: kind == .recover ? .milliseconds(100) : first.lifetime, using: &random)
                    let filesAtStart = Self.spoolFiles(database)
                    let arguments = kind == .recover ? ["ledger", "recover", "--db", database] : prompt + ["round \(round), recovering"]
                    let ending = try await onOwnThread {
                        var changedAt: Duration?
                        return try ProcessKiller.run(arguments, home: home, environment: environment) { elapsed, _ in
                            guard onSpoolChange else { return elapsed >= point }
                            if changedAt == nil, Self.spoolFiles(database) != filesAtStart { changedAt = elapsed }
                            return changedAt.map { elapsed >= $0 + jitter } ?? false
                        }
                    }
                    tally.note(kind, ending)
                    if kind == .recoveringPrompt, let requestID = ending.stderr.promptRequestID { tally.acknowledge(requestID) }
                    if !ending.killed, ending.status != 0 {
                        Issue.record("\(kind.rawValue) exited \(ending.status): \(ending.stderr)")
                    }
                }

                // Nothing is lost meanwhile: each spooled call is in the ledger or still in a spool file.
                let rows = try await onOwnThread { try LedgerCheck.rowsPerRequestID(database, home: home) }
                let waiting = Set(Self.spoolFiles(database).flatMap {
                    LedgerCheck.requestIDs(inJSONL: (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "")
                })
                let lost = spooled.filter { rows[$0] == nil && !waiting.contains($0) }
                #expect(lost.isEmpty, "seed \(Self.seed), round \(round): spooled calls neither in the ledger nor in a spool: \(lost)")
                // The next run recovers whatever the killed ones left.
                let recover = try await onOwnThread { try CLIRunner.run(["ledger", "recover", "--db", database], home: home) }
                #expect(recover.status == 0, "\(recover.stderr)")
                #expect(Self.spoolFiles(database).isEmpty, "seed \(Self.seed), round \(round): left behind: \(Self.spoolFiles(database))")
                try await LedgerCheck.expectIntact(
                    database, home: home, acknowledged: spooled + tally.acknowledged, "seed \(Self.seed), round \(round)")
            }
            #expect(spooled.count == rounds * 4)
            #expect(tally.failures.isEmpty, "seed \(Self.seed): \(tally.failures.prefix(5))")
            #expect(tally.kills(of: .recover) > 0)
            #expect(tally.kills(of: .recoveringPrompt) > 0)
            print("spool crash safety (seed \(Self.seed)): \(rounds) rounds; \(spooled.count) calls spooled; \(tally.summary); "
                + "\(spooled.count + tally.acknowledged.count) acknowledged calls checked; \(ContinuousClock.now - started)")
        }
    }
}
