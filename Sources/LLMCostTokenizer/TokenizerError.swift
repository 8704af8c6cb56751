/// Why a tokenizer operation failed: which file or input, and what was expected.
///
/// A struct around a private code, so callers match on the static constructors' meaning
/// through `kind` and read `description`, while new cases stay source compatible.
public struct TokenizerError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable {
        case unknownEncoding
        case rankFileNotFound
        case hashMismatch
        case malformedRankFile
        case downloadFailed
        case unreadableFile
    }

    /// The broad reason, for callers that branch on it.
    public enum Kind: Sendable, Equatable {
        case unknownEncoding, rankFileNotFound, hashMismatch, malformedRankFile, downloadFailed, unreadableFile
    }

    private let code: Code
    /// Human-readable explanation, naming the file, line or value concerned.
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    public var kind: Kind {
        switch code {
        case .unknownEncoding: .unknownEncoding
        case .rankFileNotFound: .rankFileNotFound
        case .hashMismatch: .hashMismatch
        case .malformedRankFile: .malformedRankFile
        case .downloadFailed: .downloadFailed
        case .unreadableFile: .unreadableFile
        }
    }

    static func unknownEncoding(_ name: String) -> TokenizerError {
        let known = EncodingName.allCases.map(\.rawValue).joined(separator: ", ")
        return TokenizerError(.unknownEncoding, "unknown encoding '\(name)'; expected one of: \(known)")
    }

    static func rankFileNotFound(_ encoding: EncodingName, searched: [String]) -> TokenizerError {
        TokenizerError(
            .rankFileNotFound,
            "rank file for \(encoding.rawValue) not found; looked in: "
                + searched.joined(separator: ", ")
                + " (set LLM_COST_TOKENIZERS to a folder of NAME.tiktoken files, or LLM_COST_ALLOW_DOWNLOAD=1 to fetch \(encoding.downloadURL))")
    }

    static func hashMismatch(path: String, expected: String, actual: String) -> TokenizerError {
        TokenizerError(.hashMismatch, "\(path): sha256 is \(actual), expected \(expected); the file is corrupt or not this encoding")
    }

    static func malformedRankFile(path: String, line: Int, reason: String) -> TokenizerError {
        TokenizerError(.malformedRankFile, "\(path):\(line): \(reason); expected 'BASE64 RANK' per line")
    }

    static func downloadFailed(url: String, reason: String) -> TokenizerError {
        TokenizerError(.downloadFailed, "download of \(url) failed: \(reason)")
    }

    public static func unreadableFile(path: String, reason: String) -> TokenizerError {
        TokenizerError(.unreadableFile, "\(path): cannot read: \(reason)")
    }
}
