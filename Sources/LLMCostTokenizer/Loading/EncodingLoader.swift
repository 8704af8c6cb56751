import Foundation
import LLMCostCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How an encoding's ranks were obtained, for `--verbose` output and the benchmark.
public struct EncodingLoadReport: Sendable {
    public enum Source: String, Sendable {
        case binaryCache = "binary cache"
        case rankFile = "rank file"
        case download = "download"
    }
    public var source: Source
    /// The file the ranks came from.
    public var path: String
    public var milliseconds: Double
}

/// Loads encodings by the search order of `TokenizerFiles`, verifies them by sha256, keeps a
/// binary cache, and shares loaded encodings across the process.
public final class EncodingLoader: @unchecked Sendable {
    // @unchecked: `loaded` and `failures` are only touched under `lock`.

    /// The process-wide loader, configured from the environment.
    public static let shared = EncodingLoader(files: TokenizerFiles())

    public let files: TokenizerFiles
    private let lock = NSLock()
    private var loaded: [EncodingName: BPEEncoding] = [:]
    /// Encodings that could not be loaded, with when: not searched for again on every count
    /// (a metering proxy estimating each call would otherwise search the disk each time), but
    /// retried after `failureRetryInterval`, in case the files have appeared.
    private var failures: [EncodingName: (error: any Error, at: UInt64)] = [:]
    static let failureRetryInterval: UInt64 = 30_000_000_000

    public init(files: TokenizerFiles) {
        self.files = files
    }

    /// The encoding, loaded on first use and shared afterwards.
    public func encoding(_ name: EncodingName) throws -> BPEEncoding {
        lock.lock()
        defer { lock.unlock() }
        if let encoding = loaded[name] { return encoding }
        let now = DispatchTime.now().uptimeNanoseconds
        if let failure = failures[name], now - failure.at < Self.failureRetryInterval { throw failure.error }
        // o200k_harmony shares o200k_base's ranks, so reuse a loaded table.
        let sibling = loaded.values.first { $0.name.rankFileName == name.rankFileName }
        do {
            let encoding = try sibling.map { BPEEncoding(name: name, table: $0.table) } ?? load(name).encoding
            loaded[name] = encoding
            failures[name] = nil
            return encoding
        } catch {
            // Timed from the failure: a failed download can take longer than the retry interval.
            failures[name] = (error, DispatchTime.now().uptimeNanoseconds)
            throw error
        }
    }

    /// Loads `name` afresh (no sharing), reporting where the ranks came from and how long it took.
    public func load(_ name: EncodingName) throws -> (encoding: BPEEncoding, report: EncodingLoadReport) {
        let started = DispatchTime.now().uptimeNanoseconds
        func finish(_ table: RankTable, _ source: EncodingLoadReport.Source, _ path: String) -> (BPEEncoding, EncodingLoadReport) {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            return (BPEEncoding(name: name, table: table), EncodingLoadReport(source: source, path: path, milliseconds: elapsed))
        }
        let expected = name.expectedSHA256
        let cachePath = files.binaryCachePath(for: name)
        let sourcePath = files.rankFileCandidates(for: name).first { FileManager.default.fileExists(atPath: $0) }
        let stamp = sourcePath.flatMap(RankCacheFile.SourceStamp.of(path:))
        if let table = RankCacheFile.read(path: cachePath, sha256: expected, source: stamp) {
            return finish(table, .binaryCache, cachePath)
        }
        var firstRejection: TokenizerError? = nil
        for path in files.rankFileCandidates(for: name) where FileManager.default.fileExists(atPath: path) {
            do {
                let data = try readFile(path)
                let table = try verifiedTable(data, path: path, expected: expected)
                RankCacheFile.write(table, to: cachePath, sha256: expected, source: RankCacheFile.SourceStamp.of(path: path))
                return finish(table, .rankFile, path)
            } catch let error as TokenizerError {
                firstRejection = firstRejection ?? error
            }
        }
        if files.allowDownload {
            let url = files.downloadURL(for: name)
            let data = try download(url)
            let table = try verifiedTable(data, path: url, expected: expected)
            let savedPath = files.cacheDirectory + "/" + name.rankFileName + ".tiktoken"
            try? FileManager.default.createDirectory(atPath: files.cacheDirectory, withIntermediateDirectories: true)
            try? data.write(to: URL(fileURLWithPath: savedPath), options: .atomic)
            RankCacheFile.write(table, to: cachePath, sha256: expected, source: RankCacheFile.SourceStamp.of(path: savedPath))
            return finish(table, .download, url)
        }
        throw firstRejection ?? TokenizerError.rankFileNotFound(name, searched: files.searchedPlaces(for: name))
    }

    private func readFile(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw TokenizerError.unreadableFile(path: path, reason: error.localizedDescription)
        }
    }

    private func verifiedTable(_ data: Data, path: String, expected: String) throws -> RankTable {
        try data.withUnsafeBytes { raw in
            let actual = SHA256.hexDigest(raw)
            guard actual == expected else {
                throw TokenizerError.hashMismatch(path: path, expected: expected, actual: actual)
            }
            return try RankFileParser.parse(raw, path: path)
        }
    }

    /// Fetches `url` over FoundationNetworking (libcurl on Linux), synchronously, giving up
    /// after a minute (the o200k file is 3.6 MB).
    private func download(_ url: String) throws -> Data {
        guard let address = URL(string: url) else { throw TokenizerError.downloadFailed(url: url, reason: "bad URL") }
        final class Outcome: @unchecked Sendable {
            var data: Data?
            var failure: String?
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: URLRequest(url: address, timeoutInterval: 60)) { data, response, error in
            if let error {
                outcome.failure = error.localizedDescription
            } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                outcome.failure = "HTTP status \(http.statusCode)"
            } else {
                outcome.data = data
            }
            done.signal()
        }
        task.resume()
        done.wait()
        guard let data = outcome.data else {
            throw TokenizerError.downloadFailed(url: url, reason: outcome.failure ?? "no data")
        }
        return data
    }
}
