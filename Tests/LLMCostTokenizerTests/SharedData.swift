import Foundation
import LLMCostTestSupport
@testable import LLMCostTokenizer

/// The `../shared` folder beside the package, and encodings loaded from its rank files.
enum SharedData {
    static let directory = SharedFolder.url

    static var tokenizers: URL { directory.appendingPathComponent("tokenizers") }
    static var corpus: URL { directory.appendingPathComponent("corpus") }

    /// A loader over the shared rank files whose binary cache goes to a private temporary folder.
    static let loader: EncodingLoader = {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("llm-cost-tokenizer-tests-\(UUID().uuidString)")
        return EncodingLoader(files: TokenizerFiles(
            environment: ["LLM_COST_TOKENIZERS": tokenizers.path, "XDG_CACHE_HOME": cache.path], allowDownload: false))
    }()

    static func encoding(_ name: EncodingName) throws -> BPEEncoding {
        try loader.encoding(name)
    }

    struct Case: Decodable {
        var text: String
        var cl100k_base: [Int]
        var o200k_base: [Int]
        var p50k_base: [Int]

        func ids(_ name: EncodingName) -> [Int] {
            switch name {
            case .cl100k_base: cl100k_base
            case .o200k_base, .o200k_harmony: o200k_base
            case .p50k_base: p50k_base
            }
        }
    }

    static let cases: [Case] = {
        struct File: Decodable { var cases: [Case] }
        guard let data = try? Data(contentsOf: corpus.appendingPathComponent("cases.json")),
            let file = try? JSONDecoder().decode(File.self, from: data)
        else { return [] }
        return file.cases
    }()

    /// Rows of `expected-counts.tsv`: file name and count per encoding.
    static let expectedCounts: [(file: String, counts: [EncodingName: Int])] = {
        guard let text = try? String(contentsOf: corpus.appendingPathComponent("expected-counts.tsv"), encoding: .utf8) else { return [] }
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map { fields in
            var counts: [EncodingName: Int] = [:]
            for (column, name) in header.enumerated() {
                if let encoding = EncodingName(rawValue: name), column < fields.count { counts[encoding] = Int(fields[column]) }
            }
            return (fields[0], counts)
        }
    }()
}
