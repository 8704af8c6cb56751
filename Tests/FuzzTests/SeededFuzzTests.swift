import Foundation
import LLMCostTestSupport
import LLMCostFuzzTargets
import LLMCostProviders
import Testing

/// The seeded pass: every registered fuzz target over its seeds and 10,000 deterministic
/// mutations of them, in every `swift test`. libFuzzer (`scripts/fuzz.sh`) searches further;
/// this pass keeps what it found fixed and catches what a change breaks.
@Suite struct SeededFuzzTests {
    static let mutatedInputsPerTarget = 10_000

    /// One target at a time, each on a thread of its own: the pass is seconds of synchronous
    /// CPU, which must neither take both cores nor hold one of the few threads Swift
    /// concurrency gives the suite's timing-sensitive async tests.
    @Test(.serialized, arguments: FuzzTargets.all.map(\.name))
    func survivesMutatedInputs(target name: String) async throws {
        let target = try #require(FuzzTargets.named(name))
        let seeds = try corpus(for: target)
        let pass = await HeavyWorkSlots.shared.run {
            await onOwnThread { SeededPass(target: target, seeds: seeds, mutatedInputs: Self.mutatedInputsPerTarget) }
        }
        print("fuzz \(name): \(seeds.count) seeds + \(Self.mutatedInputsPerTarget) mutated inputs, \(pass.cpuSeconds) s of CPU")
        for report in pass.firstFailures { Issue.record(Comment(rawValue: report)) }
        #expect(pass.failures == 0, "\(pass.failures) inputs broke \(name)'s invariants")
    }

    @Test func theMutatorIsDeterministic() {
        let seeds = [Array("data: {\"a\": 12}\n\n".utf8), Array("{\"ts\":\"x\"}".utf8)]
        var first = Mutator(seeds: seeds, seed: 7)
        var second = Mutator(seeds: seeds, seed: 7)
        var other = Mutator(seeds: seeds, seed: 8)
        let inputs = (0..<200).map { _ in first.next() }
        #expect(inputs == (0..<200).map { _ in second.next() })
        #expect(inputs != (0..<200).map { _ in other.next() })
        #expect(Set(inputs).count > 150, "mutations should rarely repeat")
    }

    @Test func everyTargetHasSeedsAndAUniqueName() {
        let names = FuzzTargets.all.map(\.name)
        #expect(Set(names).count == names.count)
        for target in FuzzTargets.all { #expect(!target.seeds.isEmpty, "\(target.name)") }
    }
}

/// One target over its seeds, then over mutations of them.
struct SeededPass: Sendable {
    var failures = 0
    /// The first few, with the input to paste into a regression test.
    var firstFailures: [String] = []
    /// The CPU time of the thread that ran the pass.
    var cpuSeconds = 0.0

    init(target: FuzzTarget, seeds: [[UInt8]], mutatedInputs: Int) {
        let nameHash = target.name.utf8.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) }
        var mutator = Mutator(seeds: seeds, seed: nameHash)
        let cpuStart = Self.threadCPUSeconds()
        for number in 0..<(seeds.count + mutatedInputs) {
            let input = number < seeds.count ? seeds[number] : mutator.next()
            do {
                try target.run(input)
            } catch {
                failures += 1
                if failures <= 3 { firstFailures.append("\(target.name), input #\(number): \(error)\ninput: \(reproducer(input))") }
            }
        }
        cpuSeconds = Self.threadCPUSeconds() - cpuStart
    }

    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// The `../shared` folder beside the package: real recorded streams, read at test time.
private let sharedWire = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/wire")

/// A target's seeds: its own, the simulator's streams and the shared recordings of its formats.
func corpus(for target: FuzzTarget) throws -> [[UInt8]] {
    var seeds = target.seeds
    for wire in target.streamFormats {
        seeds += simulatorStreams(wire)
        let folder = sharedWire.appendingPathComponent(wire.rawValue)
        guard FileManager.default.fileExists(atPath: folder.path) else { continue }
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".txt") {
            seeds.append(Array(try Data(contentsOf: folder.appendingPathComponent(file))))
        }
    }
    return seeds
}

/// An input as a Swift byte-array literal when short, else as base64.
func reproducer(_ input: [UInt8]) -> String {
    if input.count <= 256 { return "[" + input.map { String(format: "0x%02X", $0) }.joined(separator: ", ") + "]" }
    return "base64 " + Data(input).base64EncodedString()
}
