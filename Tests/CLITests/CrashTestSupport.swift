import Foundation
import LLMCostTestSupport
import LLMCostCore
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one `llm-cost` process started by a crash test ended.
struct ProcessEnding {
    /// Killed with SIGKILL by the test, rather than exited on its own first.
    var killed: Bool
    /// The exit status, when it was not killed.
    var status: Int32
    var stdout: String
    var stderr: String
    /// From its start to its exit or kill.
    var lifetime: Duration
}

/// Runs `llm-cost` processes and kills them with SIGKILL at the point a test chooses.
enum ProcessKiller {
    /// Runs `llm-cost arguments...` (see `CLIRunner.process`), asking `shouldKill` about every
    /// millisecond, with the time since the start and a reader of what it printed on stderr so
    /// far, whether to kill it now. Returns once it has exited or been killed.
    static func run(
        _ arguments: [String], home: URL, environment: [String: String] = [:],
        shouldKill: (_ elapsed: Duration, _ stderr: @escaping () -> String) -> Bool
    ) throws -> ProcessEnding {
        let process = CLIRunner.process(arguments, home: home, environment: environment)
        let started = ContinuousClock.now
        var killed = false
        let result = try withoutActuallyEscaping(shouldKill) { shouldKill in
            try CLIRunner.capture(process, home: home) { stderr in
                if !killed, shouldKill(ContinuousClock.now - started, stderr) {
                    killed = kill(process.processIdentifier, SIGKILL) == 0
                }
            }
        }
        return ProcessEnding(
            // Exited on its own just before the kill: not a kill.
            killed: killed && process.terminationReason == .uncaughtSignal, status: result.status,
            stdout: result.stdout, stderr: result.stderr, lifetime: ContinuousClock.now - started)
    }

    /// Runs each body on a thread of its own (each blocks on its processes) and returns when all
    /// have finished.
    static func onThreads(_ bodies: [@Sendable () -> Void]) {
        let group = DispatchGroup()
        for body in bodies {
            group.enter()
            let thread = Thread {
                body()
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
    }
}

/// A writer's kind, as a crash test counts its runs and kills.
enum WriterKind: String, CaseIterable, Sendable {
    case record, `import`, prompt
    /// `llm-cost ledger recover`.
    case recover
    /// A recording `prompt` started while calls wait in the spool: it recovers them after its own call.
    case recoveringPrompt = "recovering prompt"
}

/// What a crash test's writers did, shared by the threads running them: runs, kills and typical
/// lifetimes per kind, the request ids of acknowledged writes, and anything that went wrong off
/// the test's own thread (Swift Testing attributes issues only on it).
final class CrashTally: @unchecked Sendable {
    private let lock = NSLock()
    private var runs: [WriterKind: Int] = [:]
    private var kills: [WriterKind: Int] = [:]
    private var lifetimes: [WriterKind: (total: Duration, count: Int)] = [:]
    private var acknowledgedIDs: [String] = []
    private var problems: [String] = []

    /// Counts a run of `kind`; an uncut run teaches its typical lifetime.
    func note(_ kind: WriterKind, _ ending: ProcessEnding) {
        locked {
            runs[kind, default: 0] += 1
            if ending.killed {
                kills[kind, default: 0] += 1
            } else {
                let sofar = lifetimes[kind] ?? (.zero, 0)
                lifetimes[kind] = (sofar.total + ending.lifetime, sofar.count + 1)
            }
        }
    }

    /// A write its process acknowledged (exit 0, or the line that says so): it must survive.
    func acknowledge(_ requestID: String) {
        locked { acknowledgedIDs.append(requestID) }
    }

    func fail(_ problem: String) {
        locked { problems.append(problem) }
    }

    var acknowledged: [String] { locked { acknowledgedIDs } }
    var failures: [String] { locked { problems } }
    func kills(of kind: WriterKind) -> Int { locked { kills[kind] ?? 0 } }

    /// The mean lifetime of uncut runs of `kind`, else `guess`.
    func typicalLifetime(of kind: WriterKind, guess: Duration) -> Duration {
        locked { lifetimes[kind].map { $0.total / $0.count } ?? guess }
    }

    /// A random point in a run of `kind`: anywhere from its start to a little past its typical end.
    func randomPoint(in kind: WriterKind, guess: Duration, using random: inout SplitMix64) -> Duration {
        typicalLifetime(of: kind, guess: guess) * Double.random(in: 0...1.2, using: &random)
    }

    /// `record: 120 runs, 41 killed; ...`, for the test's log.
    var summary: String {
        locked {
            WriterKind.allCases.compactMap { kind in
                runs[kind].map { "\(kind.rawValue): \($0) runs, \(kills[kind] ?? 0) killed" }
            }.joined(separator: "; ")
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// A value shared by threads, behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func update(_ change: (inout Value) -> Void) {
        lock.lock()
        change(&stored)
        lock.unlock()
    }
}

/// The checks a crash test makes from outside once its writers are dead.
enum LedgerCheck {
    /// How many rows of `calls` carry each request id, read from outside: with the `sqlite3`
    /// shell, or `psql` for a ledger on a server (`password` given).
    static func rowsPerRequestID(_ database: String, home: URL, password: String? = nil) throws -> [String: Int] {
        let query = "SELECT request_id, count(*) FROM calls GROUP BY request_id"
        let result = try password.map { try CLIRunner.psql(database, password: $0, query.replacingOccurrences(of: "calls", with: "llm_cost.calls"), home: home) }
            ?? CLIRunner.sqlite(database, query, home: home)
        guard result.status == 0 else { throw CheckFailure(description: "could not read \(database): \(result.stderr)") }
        var rows: [String: Int] = [:]
        for line in result.stdout.split(separator: "\n") {
            guard let bar = line.lastIndex(of: "|"), let count = Int(line[line.index(after: bar)...]) else { continue }
            rows[String(line[..<bar])] = count
        }
        return rows
    }

    /// The file is intact (`PRAGMA integrity_check`), `ledger verify` finds the rollups equal to
    /// the raw rows, no request id is in the ledger twice, and every id in `acknowledged` is
    /// there. Returns the rows per request id.
    @discardableResult
    static func expectIntact(
        _ database: String, home: URL, password: String? = nil, acknowledged: [String], _ context: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [String: Int] {
        let environment = password.map { ["PGPASSWORD": $0] } ?? [:]
        let (integrity, verify, rows) = try await onOwnThread {
            (try password == nil ? CLIRunner.sqlite(database, "PRAGMA integrity_check", home: home) : nil,
             try CLIRunner.run(["ledger", "verify", "--db", database], home: home, environment: environment),
             try rowsPerRequestID(database, home: home, password: password))
        }
        if let integrity {
            #expect(integrity.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok",
                    "\(context): integrity_check says \(integrity.stdout) \(integrity.stderr)", sourceLocation: sourceLocation)
        }
        #expect(verify.status == 0 && verify.stdout.hasPrefix("ok: rollups match"),
                "\(context): ledger verify: \(verify.stdout) \(verify.stderr)", sourceLocation: sourceLocation)
        let twice = rows.filter { $0.value > 1 }.keys.sorted()
        let twiceCount = twice.count
        #expect(twiceCount == 0, "\(context): in the ledger more than once: \(twice.prefix(10))", sourceLocation: sourceLocation)
        let lost = acknowledged.filter { rows[$0] == nil }
        let lostCount = lost.count
        #expect(lostCount == 0, "\(context): \(lostCount) of \(acknowledged.count) acknowledged writes are missing: \(lost.prefix(10))",
                sourceLocation: sourceLocation)
        return rows
    }

    /// The request ids found in `text` after `"request_id":"` (lines of the JSONL format).
    static func requestIDs(inJSONL text: String) -> [String] {
        text.components(separatedBy: #""request_id":""#).dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
    }

    struct CheckFailure: Error, CustomStringConvertible {
        var description: String
    }
}

extension String {
    /// The simulator's request id in a `prompt` summary line (`... · 3 ms · req_sim_000012`), if it
    /// printed one: the call is acknowledged (recorded, or spooled to be).
    var promptRequestID: String? {
        guard let range = range(of: #" · req_sim_[0-9]+\n"#, options: .regularExpression) else { return nil }
        return String(self[range].dropFirst(3).dropLast())
    }
}
