/// The tiktoken encodings this package implements exactly.
public enum EncodingName: String, CaseIterable, Sendable, Codable {
    case cl100k_base
    case o200k_base
    case p50k_base
    /// o200k_base ranks and split pattern with the gpt-oss "harmony" special tokens.
    case o200k_harmony

    /// The rank file this encoding's ordinary tokens come from (harmony shares o200k's).
    public var rankFileName: String {
        switch self {
        case .o200k_harmony: "o200k_base"
        default: rawValue
        }
    }

    /// The official download location, as tiktoken itself uses it.
    public var downloadURL: String {
        "https://openaipublic.blob.core.windows.net/encodings/\(rankFileName).tiktoken"
    }

    /// The sha256 tiktoken checks for the rank file (same values as `shared/tokenizers/SHA256SUMS`).
    public var expectedSHA256: String {
        switch self {
        case .cl100k_base: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
        case .o200k_base, .o200k_harmony: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
        case .p50k_base: "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069"
        }
    }

    /// The name tiktoken gives the file in `TIKTOKEN_CACHE_DIR`: the sha1 of `downloadURL`.
    /// Precomputed because the URLs are fixed and this avoids carrying a SHA-1 implementation.
    var tiktokenCacheKey: String {
        switch self {
        case .cl100k_base: "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"
        case .o200k_base, .o200k_harmony: "fb374d419588a4632f3f557e76b4b70aebbca790"
        case .p50k_base: "ec7223a39ce59f226a68acc30dc1af2788490e15"
        }
    }

    /// Which hand-written pre-tokenizer implements this encoding's split regex.
    var splitPattern: SplitPattern {
        switch self {
        case .cl100k_base: .cl100k
        case .o200k_base, .o200k_harmony: .o200k
        case .p50k_base: .p50k
        }
    }

    /// Special tokens and their ids, as tiktoken 0.14.0 defines them.
    public var specialTokens: [String: Int] {
        switch self {
        case .p50k_base:
            return ["<|endoftext|>": 50256]
        case .cl100k_base:
            return [
                "<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
                "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276,
            ]
        case .o200k_base:
            return ["<|endoftext|>": 199999, "<|endofprompt|>": 200018]
        case .o200k_harmony:
            var tokens: [String: Int] = [
                "<|endofprompt|>": 200018, "<|startoftext|>": 199998, "<|endoftext|>": 199999,
                "<|return|>": 200002, "<|constrain|>": 200003, "<|channel|>": 200005,
                "<|start|>": 200006, "<|end|>": 200007, "<|message|>": 200008, "<|call|>": 200012,
            ]
            for id in [200000, 200001, 200004, 200009, 200010, 200011] + Array(200013..<201088) {
                tokens["<|reserved_\(id)|>"] = id
            }
            return tokens
        }
    }
}

/// The three split regexes of tiktoken, each implemented by a scanner in `PreTokenizer`.
enum SplitPattern: Sendable {
    /// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
    case cl100k
    /// The seven-alternative o200k pattern with case classes and `[\r\n/]*` after punctuation.
    case o200k
    /// `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`
    case p50k
}
