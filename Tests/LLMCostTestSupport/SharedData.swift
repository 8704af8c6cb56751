import Foundation

/// The `../shared` folder beside the package: tokenizers, corpus, wire recordings, the LiteLLM
/// price map. Tests read it where it is; nothing from it is committed.
public enum SharedFolder {
    public static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    public static var tokenizers: URL { url.appendingPathComponent("tokenizers") }
}
