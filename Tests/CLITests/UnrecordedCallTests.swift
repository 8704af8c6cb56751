import Foundation
import LLMCostTestSupport
import LLMCostSimulator
import Testing

/// A metered call whose ledger stays locked past the busy timeout is not lost: it waits in the
/// spool beside the ledger and is recorded later, by `ledger recover` or the next call.
@Suite struct UnrecordedCallCommandTests {
    @Test func aCallMadeWhileTheLedgerIsLockedIsSpooledThenRecorded() async throws {
        let scene = try SimulatedHome()
        defer { scene.close() }
        let (simulator, home) = (scene.simulator, scene.home)
        let db = home.appendingPathComponent("ledger.sqlite").path
        let environment = [
            "ANTHROPIC_API_KEY": "sk-test-0123456789", "ANTHROPIC_BASE_URL": simulator.baseURL.absoluteString,
            "LLM_COST_BUSY_TIMEOUT_MS": "200",
        ]
        let prompt = ["prompt", "--db", db, "--provider", "anthropic", "--max-tokens", "20"]
        #expect(try await CLIRunner.run(prompt + ["first"], home: home, environment: environment).status == 0)

        // A second call, slow to answer: once the provider has its request, the sqlite3 shell
        // takes the write lock and keeps it until the call has ended.
        var slow = SimulatedReply.text(["slow"])
        slow.firstByteDelay = .seconds(2)
        simulator.enqueue(slow)
        let locked = CLIRunner.process(prompt + ["second"], home: home, environment: environment)
        let lockedErrors = Pipe()
        locked.standardError = lockedErrors
        try locked.run()
        for _ in 0..<400 where simulator.requests.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(simulator.requests.count == 2)

        let holder = try SQLiteLockHolder(path: db)

        let lockedStderr = try await onOwnThread { [locked] in
            let text = String(decoding: lockedErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            locked.waitUntilExit()
            return text
        }
        #expect(locked.terminationStatus == 0, "\(lockedStderr)")
        #expect(lockedStderr.contains("waits in \(db).unrecorded.jsonl"), "\(lockedStderr)")
        try holder.release()

        let info = try await CLIRunner.run(["ledger", "info", "--db", db], home: home)
        #expect(info.stdout.contains("calls: 1"), "\(info.stdout)")
        #expect(info.stdout.contains("unrecorded: calls wait in \(db).unrecorded.jsonl"), "\(info.stdout)")

        // The next metered call brings the spooled one in.
        #expect(try await CLIRunner.run(prompt + ["third"], home: home, environment: environment).status == 0)
        let after = try await CLIRunner.run(["ledger", "info", "--db", db], home: home)
        #expect(after.stdout.contains("calls: 3"), "\(after.stdout)")
        #expect(!after.stdout.contains("unrecorded"))
        let recover = try await CLIRunner.run(["ledger", "recover", "--db", db], home: home)
        #expect(recover.stdout.contains("recorded 0 spooled calls"), "\(recover.stdout)")
    }
}
