// One libFuzzer executable for every fuzz target, chosen by `LLM_COST_FUZZ_TARGET` (libFuzzer
// owns the command line). Built with `-sanitize=fuzzer,address` by `scripts/fuzz.sh`.
//
// `LLM_COST_FUZZ_LIST=1` prints each target's name and stream formats instead, and
// `LLM_COST_FUZZ_WRITE_SEEDS=DIR` writes the target's seeds into DIR (the starting corpus).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LibFuzzerDriver
import LLMCostFuzzTargets
import LLMCostProviders

/// Writes a line to standard error.
func report(_ message: String) {
    let line = Array("llm-cost-fuzz: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

func environment(_ name: String) -> String? {
    guard let value = getenv(name), value[0] != 0 else { return nil }
    return String(cString: value)
}

/// Writes the target's own seeds and the simulator's streams of its formats, one file each.
func writeSeeds(of target: FuzzTarget, into folder: String) -> Bool {
    let seeds = target.seeds + target.streamFormats.flatMap(simulatorStreams)
    for (number, seed) in seeds.enumerated() {
        let path = "\(folder)/seed-\(number)"
        guard let file = fopen(path, "wb") else {
            report("cannot write \(path)")
            return false
        }
        let written = seed.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
        guard written == seed.count else { return false }
    }
    return true
}

if environment("LLM_COST_FUZZ_LIST") != nil {
    for target in FuzzTargets.all { print(([target.name] + target.streamFormats.map(\.rawValue)).joined(separator: " ")) }
    exit(0)
}
let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
guard let name = environment("LLM_COST_FUZZ_TARGET") else {
    report("set LLM_COST_FUZZ_TARGET to one of: \(names)")
    exit(2)
}
guard let selected = FuzzTargets.named(name) else {
    report("unknown target \"\(name)\" (expected one of: \(names))")
    exit(2)
}
if let folder = environment("LLM_COST_FUZZ_WRITE_SEEDS") {
    exit(writeSeeds(of: selected, into: folder) ? 0 : 1)
}

/// The target this process fuzzes, for the C callback (which cannot capture it).
nonisolated(unsafe) var target = selected

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try target.run(input)
    } catch {
        // A broken invariant is a finding like a crash: abort, so libFuzzer keeps the input.
        report("invariant violated: \(error)")
        abort()
    }
    return 0
})
