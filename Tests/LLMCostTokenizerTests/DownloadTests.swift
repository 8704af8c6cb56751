import Foundation
import LLMCostSimulator
import Testing
@testable import LLMCostTokenizer

/// The download path, for real over libcurl: a mirror on loopback (the simulator's static files)
/// serves rank files; only the one whose sha256 matches is taken, saved, and cached.
@Suite struct DownloadTests {
    func folder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("llm-cost-download-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aMirrorServesTheRankFileWhichIsCheckedSavedAndCached() throws {
        let served = try folder("served")
        let cache = try folder("cache")
        defer { for url in [served, cache] { try? FileManager.default.removeItem(at: url) } }
        try FileManager.default.copyItem(
            at: SharedData.tokenizers.appendingPathComponent("p50k_base.tiktoken"), to: served.appendingPathComponent("p50k_base.tiktoken"))
        let simulator = ProviderSimulator()
        simulator.filesDirectory = served
        try simulator.start()
        defer { simulator.stop() }
        let environment = ["XDG_CACHE_HOME": cache.path, "LLM_COST_TOKENIZERS_MIRROR": simulator.baseURL.absoluteString + "/files"]

        let (encoding, report) = try EncodingLoader(files: TokenizerFiles(environment: environment, allowDownload: true)).load(.p50k_base)
        #expect(report.source == .download)
        #expect(encoding.encode("hello world") == [31373, 995])
        #expect(simulator.requests.filter { $0.path == "/files/p50k_base.tiktoken" }.count == 1)
        // Saved beside the cache: the next load needs no network.
        let offline = try EncodingLoader(files: TokenizerFiles(environment: environment, allowDownload: false)).load(.p50k_base)
        #expect(offline.report.source != .download)
        #expect(simulator.requests.count == 1)
    }

    @Test func aWrongOrMissingFileIsRefused() throws {
        let served = try folder("served")
        let cache = try folder("cache")
        defer { for url in [served, cache] { try? FileManager.default.removeItem(at: url) } }
        // Another encoding's ranks under this name: the hash tells.
        try FileManager.default.copyItem(
            at: SharedData.tokenizers.appendingPathComponent("p50k_base.tiktoken"), to: served.appendingPathComponent("cl100k_base.tiktoken"))
        let simulator = ProviderSimulator()
        simulator.filesDirectory = served
        try simulator.start()
        defer { simulator.stop() }
        let files = TokenizerFiles(
            environment: ["XDG_CACHE_HOME": cache.path, "LLM_COST_TOKENIZERS_MIRROR": simulator.baseURL.absoluteString + "/files/"],
            allowDownload: true)
        #expect { try EncodingLoader(files: files).load(.cl100k_base) } throws: { ($0 as? TokenizerError)?.kind == .hashMismatch }
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("llm-cost/tokenizers/cl100k_base.tiktoken").path))
        #expect {
            try EncodingLoader(files: files).load(.o200k_base)
        } throws: { error in
            (error as? TokenizerError)?.kind == .downloadFailed && "\(error)".contains("404")
        }
    }
}
