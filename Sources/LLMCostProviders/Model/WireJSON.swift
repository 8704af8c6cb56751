import Foundation

/// Reading and writing the JSON of wire formats: events are read with our `WireValueReader`
/// (fast, and tolerant of absent or `null` fields), request bodies written with
/// `JSONSerialization`.
enum WireJSON {
    /// Parses one event's JSON object with `WireValueReader`, or explains (for the error) why
    /// it is not one.
    static func event(_ text: String, provider: String, context: String) throws(ProviderError) -> WireValue {
        let value: WireValue
        do {
            value = try WireValueReader.parse(text)
        } catch {
            throw malformed(text, provider: provider, context: context, reason: "\(error.reason) at byte \(error.offset)")
        }
        guard value.isObject else { throw malformed(text, provider: provider, context: context, reason: "not a JSON object") }
        return value
    }

    private static func malformed(_ text: String, provider: String, context: String, reason: String) -> ProviderError {
        let excerpt = text.count > 200 ? String(text.prefix(200)) + "…" : text
        return .decoding(provider: provider, message: "malformed JSON in \(context) (\(reason)): \(excerpt)")
    }

    /// Serializes a request body. Keys sorted so the same request is the same bytes.
    static func data(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}
