import Foundation
import LLMCostTestSupport
import Testing
@testable import LLMCostTOML

/// Our reader against Python's tomllib on a few thousand documents: seeded random valid ones,
/// mutations of them, the spec cases, and mutations of the repository's pricing files and
/// README examples. Both must read the same tree, or both must reject.
@Suite struct DifferentialTests {
    @Test func agreesWithPythonsTomllib() async throws {
        // Seconds of parsing and waiting on Python: off Swift concurrency's threads.
        let outcome = try await HeavyWorkSlots.shared.run { try await onOwnThread { try Self.compare() } }
        #expect(
            outcome.disagreements.isEmpty,
            "\(outcome.disagreements.count) disagreements, first ones:\n\(outcome.disagreements.prefix(8).joined(separator: "\n"))")
        // The corpus must exercise both sides: most generated documents are valid, many mutations not.
        #expect(
            outcome.generatedAccepted > outcome.generated * 3 / 4,
            "only \(outcome.generatedAccepted) of \(outcome.generated) generated documents parsed")
        #expect(outcome.accepted < outcome.documents - 1000, "only \(outcome.documents - outcome.accepted) documents rejected")
    }

    struct Outcome: Sendable {
        var documents: Int
        var generated: Int
        var accepted: Int
        var generatedAccepted: Int
        var disagreements: [String]
    }

    static func compare() throws -> Outcome {
        var generator = DocumentGenerator(seed: 0x70_31_2026)
        var documents: [(origin: String, bytes: [UInt8])] = []
        var generated: [[UInt8]] = []
        for index in 0..<1500 {
            let bytes = Array(generator.document().utf8)
            generated.append(bytes)
            documents.append(("generated #\(index)", bytes))
        }
        for index in 0..<1000 {
            documents.append(("mutation #\(index) of a generated document", generator.mutate(generator.pick(generated))))
        }
        for specCase in SpecificationTests.valid { documents.append(("spec case \(specCase.name)", Array(specCase.document.utf8))) }
        for invalid in SpecificationTests.invalid { documents.append(("invalid spec case", Array(invalid.document.utf8))) }
        var repositoryFiles = try RepositoryFiles.pricingFiles()
        for (index, example) in try RepositoryFiles.readmeExamples().enumerated() { repositoryFiles.append(("README example \(index)", example)) }
        for file in repositoryFiles {
            documents.append((file.name, file.bytes))
            for index in 0..<80 { documents.append(("mutation #\(index) of \(file.name)", generator.mutate(file.bytes))) }
        }

        let verdicts = try ReferenceParser.verdicts(for: documents.map(\.bytes))

        var accepted = 0
        var generatedAccepted = 0
        var disagreements: [String] = []
        for (index, document) in documents.enumerated() {
            let ours: String
            do {
                ours = CanonicalJSON.render(try TOMLParser.parse(document.bytes))
                accepted += 1
                if index < generated.count { generatedAccepted += 1 }
            } catch {
                ours = "!error \(error)"
            }
            let theirs = verdicts[index]
            let agree = ours.hasPrefix("!error") ? theirs.hasPrefix("!error") : ours == theirs
            if !agree {
                disagreements.append(
                    "\(document.origin): \(String(decoding: document.bytes, as: UTF8.self).debugDescription)\n  ours:    \(ours)\n  tomllib: \(theirs)")
            }
        }
        return Outcome(
            documents: documents.count, generated: generated.count, accepted: accepted, generatedAccepted: generatedAccepted,
            disagreements: disagreements)
    }
}
