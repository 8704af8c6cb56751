import Foundation

/// Where rank files are looked for, in order, and whether the network may be used:
///
/// 1. `$LLM_COST_TOKENIZERS/NAME.tiktoken`
/// 2. `$TIKTOKEN_CACHE_DIR/<sha1 of the download URL>` (tiktoken's own cache, reused as is)
/// 3. `$XDG_CACHE_HOME/llm-cost/tokenizers/NAME.tiktoken` (`~/.cache` when XDG_CACHE_HOME is unset)
/// 4. the official URL (or `$LLM_COST_TOKENIZERS_MIRROR/NAME.tiktoken`, for a mirror inside a
///    firewall), only when `allowDownload` (`LLM_COST_ALLOW_DOWNLOAD=1`); the file is checked
///    against its sha256 (so a mirror cannot change it) and saved in place 3.
///
/// The compact binary cache (`NAME.ranks-v8.bin`) lives beside place 3.
public struct TokenizerFiles: Sendable {
    public var environment: [String: String]
    public var allowDownload: Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, allowDownload: Bool? = nil) {
        self.environment = environment
        self.allowDownload = allowDownload ?? (environment["LLM_COST_ALLOW_DOWNLOAD"] == "1")
    }

    /// The per-user cache folder for downloaded rank files and binary caches.
    public var cacheDirectory: String {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return xdg + "/llm-cost/tokenizers"
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.cache/llm-cost/tokenizers"
    }

    /// Candidate rank-file paths for `encoding`, in search order.
    public func rankFileCandidates(for encoding: EncodingName) -> [String] {
        var paths: [String] = []
        if let folder = environment["LLM_COST_TOKENIZERS"], !folder.isEmpty {
            paths.append(folder + "/" + encoding.rankFileName + ".tiktoken")
        }
        if let folder = environment["TIKTOKEN_CACHE_DIR"], !folder.isEmpty {
            paths.append(folder + "/" + encoding.tiktokenCacheKey)
        }
        paths.append(cacheDirectory + "/" + encoding.rankFileName + ".tiktoken")
        return paths
    }

    /// Where `encoding`'s rank file is downloaded from: the mirror when one is set, else the
    /// official URL.
    public func downloadURL(for encoding: EncodingName) -> String {
        if let mirror = environment["LLM_COST_TOKENIZERS_MIRROR"], !mirror.isEmpty {
            return (mirror.hasSuffix("/") ? String(mirror.dropLast()) : mirror) + "/" + encoding.rankFileName + ".tiktoken"
        }
        return encoding.downloadURL
    }

    /// The binary cache path for `encoding`'s ranks.
    func binaryCachePath(for encoding: EncodingName) -> String {
        cacheDirectory + "/" + encoding.rankFileName + ".ranks-v8.bin"
    }

    /// What a "not found" message lists: every place searched, and the download switch.
    func searchedPlaces(for encoding: EncodingName) -> [String] {
        var places = rankFileCandidates(for: encoding)
        if environment["LLM_COST_TOKENIZERS"]?.isEmpty ?? true { places.insert("$LLM_COST_TOKENIZERS (unset)", at: 0) }
        if environment["TIKTOKEN_CACHE_DIR"]?.isEmpty ?? true { places.insert("$TIKTOKEN_CACHE_DIR (unset)", at: 1) }
        places.append(allowDownload ? downloadURL(for: encoding) : "\(downloadURL(for: encoding)) (download not allowed: LLM_COST_ALLOW_DOWNLOAD=1)")
        return places
    }
}
