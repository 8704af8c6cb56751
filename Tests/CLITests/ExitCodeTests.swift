import Foundation
import Testing

/// The exit status and message of each kind of failure, as the README promises them: 2 and the
/// failing command's usage for a command line that asks for what cannot be, 1 and one line for
/// work that failed, 3 for a budget over its limit.
@Suite struct ExitCodeTests {
    struct Failure: CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        /// What the first line of standard error says after `error: `.
        var says: String
        var description: String { arguments.joined(separator: " ") }
    }

    /// A ledger with one $1.50 call, a config with a budget it is over, a broken config beside.
    struct Setup {
        let home: URL
        let ledger: String

        init() async throws {
            home = try CLIRunner.temporaryDirectory()
            ledger = home.appendingPathComponent("l.sqlite").path
            let record = try await CLIRunner.run(
                ["record", "--db", ledger, "--provider", "p", "--model", "m", "--input", "1", "--cost-usd", "1.5"], home: home)
            #expect(record.status == 0, "\(record.stderr)")
            try """
                [[budgets]]
                name = "small"
                period = "month"
                limit_usd = 1
                """.write(to: home.appendingPathComponent("llm-cost.toml"), atomically: true, encoding: .utf8)
            try "[budgets\nname = 1\n".write(to: home.appendingPathComponent("broken.toml"), atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(at: home) }
    }

    /// The command whose usage a usage error in `llm-cost WORD ...` shows.
    static let usageCommand = [
        "report": "report spend", "pricing": "pricing list", "providers": "providers check", "budget": "budget check",
    ]

    @Test func eachKindOfFailureExitsWithItsStatusAndOneMessage() async throws {
        let setup = try await Setup()
        defer { setup.remove() }
        let db = setup.ledger
        let usage: [Failure] = [
            Failure(arguments: ["report", "--no-such-flag"], status: 2, says: "Unknown option '--no-such-flag'"),
            Failure(arguments: ["report", "--db", db, "--format", "xml"], status: 2, says: "The value 'xml' is invalid for '--format <format>'"),
            Failure(arguments: ["report", "--db", db, "--since", "yesterday-ish"], status: 2, says: "--since: cannot read"),
            Failure(arguments: ["pricing", "list", "--provider", "nope"], status: 2, says: "--provider: no pricing file for \"nope\""),
            Failure(arguments: ["providers", "check", "nope"], status: 2, says: "no provider named `nope`"),
            Failure(arguments: ["budget", "check", "nope"], status: 2, says: "no budget named \"nope\""),
            Failure(arguments: ["tokens", "--encoding", "nope"], status: 2, says: "--encoding: unknown encoding 'nope'"),
            Failure(arguments: ["demo", "--calls=-1"], status: 2, says: "--calls: expected 0 to 1000000"),
        ]
        let runtime: [Failure] = [
            Failure(arguments: ["export", "--db", db, "--output", "/nonexistent-folder/x.csv"], status: 1, says: "--output: cannot write /nonexistent-folder/x.csv"),
            Failure(arguments: ["export", "--db", db, "--output", "/dev/full"], status: 1, says: "export stopped: cannot write /dev/full"),
            Failure(arguments: ["import", "--db", db, setup.home.appendingPathComponent("missing.jsonl").path], status: 1, says: "missing.jsonl"),
            Failure(arguments: ["report", "--db", setup.home.appendingPathComponent("typo.sqlite").path], status: 1, says: "no ledger at"),
            Failure(arguments: ["report", "--db", db, "--config", setup.home.appendingPathComponent("broken.toml").path], status: 1, says: "broken.toml:1"),
            Failure(arguments: ["pricing", "validate", setup.home.appendingPathComponent("nothing-here").path], status: 1, says: "nothing-here"),
        ]
        for failure in usage + runtime {
            let result = try await CLIRunner.run(failure.arguments, home: setup.home)
            #expect(result.status == failure.status, "\(failure): \(result.status) \(result.stderr)")
            let first = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(first.hasPrefix("error: ") && first.contains(failure.says), "\(failure): \(result.stderr)")
            if failure.status == 2 {
                // The usage shown is the failing command's, not the root's.
                let command = "llm-cost " + (Self.usageCommand[failure.arguments[0]] ?? failure.arguments[0])
                #expect(result.stderr.contains("Usage: \(command)"), "\(failure): \(result.stderr)")
                #expect(result.stderr.contains("See '\(command) --help'"), "\(failure): \(result.stderr)")
            } else {
                #expect(!result.stderr.contains("Usage:"), "\(failure): a runtime error printed usage: \(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "\(failure): \(result.stderr)")
            }
        }
    }

    /// A ledger whose rollups disagree with its calls fails `ledger verify` with 1, not usage.
    @Test func aLedgerThatDoesNotCheckOutIsARuntimeFailure() async throws {
        let setup = try await Setup()
        defer { setup.remove() }
        let tampered = try CLIRunner.sqlite(setup.ledger, "UPDATE rollup_daily SET cost_nano = cost_nano + 1", home: setup.home)
        #expect(tampered.status == 0, "\(tampered.stderr)")
        let verify = try await CLIRunner.run(["ledger", "verify", "--db", setup.ledger], home: setup.home)
        #expect(verify.status == 1, "\(verify.stderr)")
        #expect(verify.stderr.contains("error: ") && verify.stderr.contains("disagree with the raw calls"), "\(verify.stderr)")
        #expect(!verify.stderr.contains("Usage:"), "\(verify.stderr)")
    }

    /// A budget over its limit: 3, with nothing else on standard error but the status table's
    /// own output.
    @Test func aBudgetOverItsLimitExitsThree() async throws {
        let setup = try await Setup()
        defer { setup.remove() }
        let over = try await CLIRunner.run(["budget", "check", "small", "--db", setup.ledger], home: setup.home)
        #expect(over.status == 3, "\(over.stderr)")
        #expect(!over.stderr.contains("error:") && !over.stderr.contains("Usage:"), "\(over.stderr)")
        let help = try await CLIRunner.run(["report", "--help"], home: setup.home)
        #expect(help.status == 0 && help.stdout.contains("USAGE: llm-cost report"), "\(help.stderr)")
    }
}
