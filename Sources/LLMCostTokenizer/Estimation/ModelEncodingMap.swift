/// Which exact encoding a model uses, when OpenAI has published it.
///
/// Matching is by model-family prefix on the bare model id (provider prefixes such as
/// `openai/` or `openrouter/openai/` are dropped), so dated and `-mini`/`-nano` variants follow
/// their family. Anything unlisted returns nil: the caller uses the heuristic rather than guess
/// an encoding that would be silently wrong.
public enum ModelEncodingMap {
    /// Family prefixes in match order (longer, more specific families first).
    private static let families: [(prefix: String, encoding: EncodingName)] = [
        ("gpt-oss", .o200k_harmony),
        ("gpt-4o", .o200k_base),
        ("chatgpt-4o", .o200k_base),
        ("gpt-4.1", .o200k_base),
        ("gpt-4.5", .o200k_base),
        ("gpt-5", .o200k_base),
        ("o1", .o200k_base),
        ("o3", .o200k_base),
        ("o4-mini", .o200k_base),
        ("gpt-4", .cl100k_base),
        ("gpt-3.5-turbo", .cl100k_base),
        ("gpt-35-turbo", .cl100k_base),  // Azure's spelling
        ("text-embedding-3-small", .cl100k_base),
        ("text-embedding-3-large", .cl100k_base),
        ("text-embedding-ada-002", .cl100k_base),
        ("text-davinci-003", .p50k_base),
        ("text-davinci-002", .p50k_base),
        ("code-davinci-002", .p50k_base),
    ]

    /// The encoding of `model`, or nil when it has no public tokenizer we know.
    public static func encoding(forModel model: String) -> EncodingName? {
        let bare = bareModelID(model)
        for family in families where matches(bare, family: family.prefix) {
            return family.encoding
        }
        return nil
    }

    /// `openrouter/openai/gpt-4o` → `gpt-4o`, lower-cased.
    static func bareModelID(_ model: String) -> String {
        var last = (model.split(separator: "/").last.map(String.init) ?? model).lowercased()
        if last.hasPrefix("ft:") { last.removeFirst(3) }  // fine-tuned: ft:gpt-4o-mini-2024-07-18:org::id
        return last
    }

    /// The id is the family itself or continues it after a separator (`gpt-4o-mini`,
    /// `o1-2024-12-17`, `gpt-oss:20b`, and `gpt-5.1` for the gpt-5 point releases), so `gpt-4`
    /// never claims `gpt-4o` or an unknown `gpt-4.7`, and `o1` never `o10`.
    private static func matches(_ model: String, family: String) -> Bool {
        guard model.hasPrefix(family) else { return false }
        guard let next = model.dropFirst(family.count).first else { return true }
        return next == "-" || next == ":" || (next == "." && family == "gpt-5")
    }
}
