import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `llm-cost-bench tokenizer`: load time and encode/count throughput per encoding on the
/// shared corpus, beside tiktoken's when `--reference` is given.
struct BenchTokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Tokenizer load time and MB/s per encoding, optionally beside tiktoken.")

    @Option(help: "Encodings to measure (repeatable).")
    var encoding: [String] = ["cl100k_base", "o200k_base", "p50k_base"]

    @Option(help: "Folder of the shared data (tokenizers/, corpus/, tools/).")
    var shared: String = "../shared"

    @Flag(help: "Also run tools/tiktoken_reference.py bench and print ratios (needs pip install tiktoken).")
    var reference = false

    @Option(help: "Timed repetitions per file, at least (more until 15 ms are sampled); the best one counts.")
    var repetitions = 3

    @Argument(help: "Files to encode (default: the shared corpus .txt files).")
    var files: [String] = []

    func run() throws {
        let names = try encoding.map { value in
            guard let name = EncodingName(rawValue: value) else { throw CommandFailure.usage("unknown encoding '\(value)'") }
            return name
        }
        let corpus = shared + "/corpus"
        let inputs = files.isEmpty
            ? ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []).filter { $0.hasSuffix(".txt") }.sorted().map { corpus + "/" + $0 }
            : files
        let benchmark = TokenizerBenchmark(
            encodings: names, files: inputs, tokenizersDirectory: shared + "/tokenizers",
            referenceScript: reference ? shared + "/tools/tiktoken_reference.py" : nil, repetitions: repetitions)
        try benchmark.run { FileOutput.standardOutput.line($0) }
    }
}
