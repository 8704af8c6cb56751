import Foundation
import Testing
import LLMCostCore
@testable import LLMCostTokenizer

/// Rank-file search order, sha256 rejection, and the binary cache, on real files in temporary folders.
@Suite struct LoadingTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("llm-cost-loading-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func subfolder(_ name: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    func loader(_ environment: [String: String]) -> EncodingLoader {
        EncodingLoader(files: TokenizerFiles(environment: environment, allowDownload: false))
    }

    var sharedP50K: String { SharedData.tokenizers.appendingPathComponent("p50k_base.tiktoken").path }

    @Test func missingFilesNameEveryPlaceSearched() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = try subfolder("cache")
        #expect {
            try loader(["XDG_CACHE_HOME": cache]).load(.p50k_base)
        } throws: { error in
            let message = (error as? TokenizerError)?.description ?? ""
            return (error as? TokenizerError)?.kind == .rankFileNotFound && message.contains("LLM_COST_TOKENIZERS")
                && message.contains("TIKTOKEN_CACHE_DIR") && message.contains(cache + "/llm-cost/tokenizers/p50k_base.tiktoken")
                && message.contains("download not allowed")
        }
    }

    @Test func wrongFileIsRejectedByHashAndTheNextPlaceUsed() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = try subfolder("bad")
        try Data("IQ== 0\n".utf8).write(to: URL(fileURLWithPath: bad + "/p50k_base.tiktoken"))
        #expect {
            try loader(["LLM_COST_TOKENIZERS": bad, "XDG_CACHE_HOME": try subfolder("cache1")]).load(.p50k_base)
        } throws: { error in
            (error as? TokenizerError)?.kind == .hashMismatch && "\(error)".contains(bad + "/p50k_base.tiktoken")
        }
        // tiktoken's own cache, files named by the sha1 of the URL, comes next in the search.
        let tiktokenCache = try subfolder("tiktoken")
        try FileManager.default.createSymbolicLink(
            atPath: tiktokenCache + "/ec7223a39ce59f226a68acc30dc1af2788490e15", withDestinationPath: sharedP50K)
        let (encoding, report) = try loader([
            "LLM_COST_TOKENIZERS": bad, "TIKTOKEN_CACHE_DIR": tiktokenCache, "XDG_CACHE_HOME": try subfolder("cache2"),
        ]).load(.p50k_base)
        #expect(report.source == .rankFile)
        #expect(report.path.hasPrefix(tiktokenCache))
        #expect(encoding.encode("hello world") == [31373, 995])
    }

    @Test func binaryCacheIsWrittenReusedAndRebuiltWhenDamaged() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = try subfolder("cache")
        let environment = ["LLM_COST_TOKENIZERS": SharedData.tokenizers.path, "XDG_CACHE_HOME": cache]
        let first = try loader(environment).load(.p50k_base)
        #expect(first.report.source == .rankFile)
        let second = try loader(environment).load(.p50k_base)
        #expect(second.report.source == .binaryCache)
        #expect(second.encoding.encode("Hello, World!") == [15496, 11, 2159, 0])
        #expect(second.encoding.mergeableRankCount == first.encoding.mergeableRankCount)

        // Flip one byte in the middle of the cache: the checksum rejects it and it is rebuilt.
        let cachePath = cache + "/llm-cost/tokenizers/p50k_base.ranks-v8.bin"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: cachePath))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: cachePath))
        #expect(try loader(environment).load(.p50k_base).report.source == .rankFile)
        #expect(try loader(environment).load(.p50k_base).report.source == .binaryCache)
    }

    /// The cache carries derived tables (character tokens, neighbour ranks, character
    /// classes): read back, they must be the very bytes that were built, and encode alike.
    @Test func cachedTablesMatchFreshlyBuiltOnes() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = try subfolder("cache")
        let environment = ["LLM_COST_TOKENIZERS": SharedData.tokenizers.path, "XDG_CACHE_HOME": cache]
        let built = try loader(environment).load(.o200k_base)
        let cached = try loader(environment).load(.o200k_base)
        #expect(built.report.source == .rankFile)
        #expect(cached.report.source == .binaryCache)
        let builtBlock = built.encoding.table.block
        let cachedBlock = cached.encoding.table.block
        #expect(builtBlock.count == cachedBlock.count)
        let payload = RankTable.headerSize..<min(builtBlock.count, cachedBlock.count)
        #expect(memcmp(builtBlock.baseAddress! + payload.lowerBound, cachedBlock.baseAddress! + payload.lowerBound, payload.count) == 0)
        for file in ["cjk.txt", "multi.txt"] {
            let text = try String(contentsOf: SharedData.corpus.appendingPathComponent(file), encoding: .utf8)
            #expect(cached.encoding.encode(text) == built.encoding.encode(text), "\(file)")
        }
    }

    @Test func malformedRankFileNamesTheLine() throws {
        let text = Data("IQ== 0\nIg== 1\nnot-base64! 2\n".utf8)
        #expect {
            try text.withUnsafeBytes { try RankFileParser.parse($0, path: "ranks.tiktoken") }
        } throws: { error in
            (error as? TokenizerError)?.kind == .malformedRankFile && "\(error)".contains("ranks.tiktoken:3:")
        }
    }

    @Test func sha256MatchesKnownDigests() {
        let empty = [UInt8]().withUnsafeBytes { SHA256.hexDigest($0) }
        #expect(empty == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let abc = Array("abc".utf8).withUnsafeBytes { SHA256.hexDigest($0) }
        #expect(abc == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array(repeating: UInt8(ascii: "a"), count: 1000).withUnsafeBytes { SHA256.hexDigest($0) }
        #expect(long == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}

/// Special tokens: plain text by default, ids when allowed; harmony's own set.
@Suite struct SpecialTokenTests {
    @Test func specialsArePlainTextUnlessAllowed() throws {
        let cl100k = try SharedData.encoding(.cl100k_base)
        let text = "a<|endoftext|>b<|fim_prefix|>"
        #expect(cl100k.encode(text).count > 4)
        #expect(cl100k.encode(text, allowedSpecial: ["<|endoftext|>", "<|fim_prefix|>"]) == [64, 100257, 65, 100258])
        #expect(cl100k.encode(text, allowedSpecial: ["<|endoftext|>"]) == [64, 100257] + cl100k.encode("b<|fim_prefix|>"))
        #expect(cl100k.count(text, allowedSpecial: ["<|endoftext|>", "<|fim_prefix|>"]) == 4)
        #expect(cl100k.decode([64, 100257, 65]) == "a<|endoftext|>b")
    }

    @Test func harmonySharesO200KRanksWithItsOwnSpecials() throws {
        let harmony = try SharedData.encoding(.o200k_harmony)
        let o200k = try SharedData.encoding(.o200k_base)
        let text = "<|start|>user<|message|>Hello<|end|>"
        #expect(harmony.encode("Hello, World!") == o200k.encode("Hello, World!"))
        #expect(harmony.encode(text, allowedSpecial: ["<|start|>", "<|message|>", "<|end|>"])
            == [200006] + o200k.encode("user") + [200008] + o200k.encode("Hello") + [200007])
        #expect(harmony.specialTokens["<|reserved_201087|>"] == 201087)
        #expect(o200k.specialTokens["<|start|>"] == nil)
    }
}
