import Foundation
import LLMCostCore
import LLMCostTestSupport
import Testing

/// `import --from claude-code` killed with SIGKILL part way, then run again: every request is
/// in the ledger exactly once at its final counts, the rollups equal the raw rows, and the file
/// is intact. Each transaction writes calls together with the read positions of the lines they
/// came from, so the second run neither skips nor repeats a line.
@Suite(.serialized) struct AgentLogCrashTests {
    /// A tree of transcripts: `files` sessions, each response written as two lines (a partial
    /// and the final snapshot), long user lines between them. Returns the final output tokens
    /// summed and the number of requests.
    static func writeTree(under root: URL, files: Int, requestsPerFile: Int, seed: UInt64) throws -> (output: Int64, requests: Int) {
        var random = SplitMix64(seed: seed)
        let padding = String(repeating: "x", count: 3_000)
        var output: Int64 = 0
        for file in 0..<files {
            let folder = root.appendingPathComponent("-p\(file % 5)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var text = ""
            for request in 0..<requestsPerFile {
                let id = "msg_\(file)_\(request)"
                let final = Int64(random.next() % 900) + 100
                output += final
                text += #"{"type":"user","sessionId":"s\#(file)","timestamp":"2026-11-10T10:00:00.000Z","message":{"content":"\#(padding)"}}"# + "\n"
                for part in [final / 3, final] {
                    text += #"{"type":"assistant","sessionId":"s\#(file)","timestamp":"2026-11-10T10:\#(String(format: "%02d", request % 60)):00.000Z","requestId":"req_\#(id)","message":{"id":"\#(id)","model":"claude-sonnet-4-5","usage":{"input_tokens":5,"output_tokens":\#(part),"cache_read_input_tokens":1000}}}"# + "\n"
                }
            }
            try text.write(to: folder.appendingPathComponent("s\(file).jsonl"), atomically: false, encoding: .utf8)
        }
        return (output, files * requestsPerFile)
    }

    @Test func anImportKilledAtAnyPointResumesExactly() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let root = home.appendingPathComponent("projects")
        let tree = try Self.writeTree(under: root, files: 60, requestsPerFile: 120, seed: 11)
        let ledger = home.appendingPathComponent("l.sqlite").path
        var random = SplitMix64(seed: 20_261_204)
        var killedPartWay = 0
        for round in 0..<4 {
            // Each round starts over on a fresh ledger, kills the import after a random delay
            // (spread over its measured lifetime), then lets a second import finish.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: ledger + suffix) }
            let delay = useconds_t(random.next() % 400_000)
            let first = try await HeavyWorkSlots.shared.run {
                try await onOwnThread {
                    let process = CLIRunner.process(["import", "--from", "claude-code", root.path, "--quiet", "--transaction-ms", "5", "--db", ledger], home: home)
                    var started: ContinuousClock.Instant?
                    return try CLIRunner.capture(process, home: home) { _ in
                        let now = ContinuousClock.now
                        if started == nil { started = now }
                        if let started, now - started >= .microseconds(Int64(delay)), process.isRunning {
                            kill(process.processIdentifier, SIGKILL)
                        }
                    }
                }
            }
            let count = try CLIRunner.sqlite(ledger, "SELECT count(*) FROM calls", home: home)
            let written = Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            if !first.exitedNormally && written > 0 && written < tree.requests { killedPartWay += 1 }

            let second = try await CLIRunner.run(["import", "--from", "claude-code", root.path, "--db", ledger], home: home)
            #expect(second.status == 0, "round \(round): \(second.stderr)")
            let totals = try CLIRunner.sqlite(ledger, "SELECT count(*), sum(output_tokens) FROM calls", home: home)
            #expect(totals.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(tree.requests)|\(tree.output)", "round \(round) (killed after \(delay) µs)")
            let verified = try await CLIRunner.run(["ledger", "verify", "--db", ledger], home: home)
            #expect(verified.status == 0, "round \(round): \(verified.stdout)")
            let integrity = try CLIRunner.sqlite(ledger, "PRAGMA integrity_check", home: home)
            #expect(integrity.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        }
        print("agent-log import killed part way in \(killedPartWay) of 4 rounds")
        // A test that never interrupts an import proves nothing.
        #expect(killedPartWay > 0)
    }
}
