import Foundation
import LLMCostTestSupport
import LLMCostConfig
import LLMCostPricing
import Testing

/// Ten thousand mutated files each through the config reader and the pricing loader: none may
/// crash the process, and every rejection must say what is wrong and on which line.
@Suite struct ReaderMutationTests {
    /// Config files to mutate: the README's examples and one that sets every section.
    static func configSeeds() throws -> [[UInt8]] {
        try RepositoryFiles.readmeExamples() + [
            Array("""
                [ledger]
                path = "/tmp/ledger.sqlite"
                busy_timeout_ms = 2500
                [report]
                timezone = "Europe/Paris"
                group_by = ["agent", "day"]
                format = "json"
                [pricing]
                dir = "/tmp/pricing"
                [providers.local]
                type = "ollama"
                extra_headers = { "X-Title" = "app" }
                [[budgets]]
                name = "daily"
                limit_usd = 5.00
                alerts = [0.5, 1.0]
                [[budgets]]
                name = "team"
                tag = "team=search"
                limit_usd = "12.5"
                [alerts]
                log = false
                max_attempts = 3

                """.utf8)
        ]
    }

    /// What a pass saw: mutants accepted, and rejections that did not say where.
    struct Outcome: Sendable {
        var accepted: Int
        var unlocated: [String]
    }

    @Test func theConfigReaderLocatesEveryRejectionAndNeverCrashes() async throws {
        // Ten thousand loads: off Swift concurrency's threads.
        let outcome = try await HeavyWorkSlots.shared.run { try await onOwnThread { try Self.mutateConfigs() } }
        #expect(outcome.unlocated.count == 0, "rejections without a line:\n\(outcome.unlocated.prefix(5).joined(separator: "\n"))")
        #expect(outcome.accepted > 500 && outcome.accepted < 9_500, "\(outcome.accepted) of 10000 mutants accepted")
    }

    @Test func thePricingLoaderLocatesEveryIssueAndNeverCrashes() async throws {
        let outcome = try await HeavyWorkSlots.shared.run { try await onOwnThread { try Self.mutatePricingFiles() } }
        #expect(outcome.unlocated.count == 0, "issues without a line:\n\(outcome.unlocated.prefix(5).joined(separator: "\n"))")
        #expect(outcome.accepted > 500 && outcome.accepted < 9_500, "\(outcome.accepted) of 10000 mutants accepted")
    }

    static func mutateConfigs() throws -> Outcome {
        let seeds = try Self.configSeeds()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("config-mutations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("llm-cost.toml")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        // One open handle rewritten in place: closing a file truncated to zero makes ext4 flush it,
        // which would cost seconds over ten thousand rounds.
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        var generator = DocumentGenerator(seed: 0xC0_4F_16)
        var accepted = 0
        var unlocated: [String] = []
        for _ in 0..<10_000 {
            let mutant = generator.mutate(generator.pick(seeds))
            try handle.seek(toOffset: 0)
            try handle.write(contentsOf: mutant)
            try handle.truncate(atOffset: UInt64(mutant.count))
            do {
                _ = try Configuration.load(explicitPath: file.path, environment: [:], workingDirectory: folder.path)
                accepted += 1
            } catch {
                if error.message.isEmpty || (error.line ?? 0) < 1 || error.file != file.path {
                    unlocated.append("\(error)  <-  \(String(decoding: mutant, as: UTF8.self).debugDescription)")
                }
            }
        }
        return Outcome(accepted: accepted, unlocated: unlocated)
    }

    static func mutatePricingFiles() throws -> Outcome {
        let seeds = try RepositoryFiles.pricingFiles().map(\.bytes)
        var generator = DocumentGenerator(seed: 0x9_41C3)
        var accepted = 0
        var unlocated: [String] = []
        for _ in 0..<10_000 {
            let mutant = generator.mutate(generator.pick(seeds))
            let text = String(decoding: mutant, as: UTF8.self)
            let issues = PriceTableLoader.validate(defaults: [], user: [PricingSource(name: "user.toml", text: text)], snapshot: nil)
            if issues.isEmpty { accepted += 1 }
            for issue in issues where issue.message.isEmpty || issue.location.file != "user.toml" || issue.location.line < 1
            {
                unlocated.append("\(issue)  <-  \(text.debugDescription)")
            }
        }
        return Outcome(accepted: accepted, unlocated: unlocated)
    }
}
