import Foundation

/// Reading and writing the loosely typed JSON of wire formats, where a field may be absent,
/// `null`, or a number of any width. Parsing goes through `JSONSerialization`: it is the fastest
/// JSON reader Foundation has, and stream events are read once, field by field.
enum WireJSON {
    /// Parses one event's JSON object, or explains (for the error) why it is not one.
    static func object(_ text: String, provider: String, context: String) throws(ProviderError) -> [String: Any] {
        guard let data = text.data(using: .utf8),
            let parsed = try? JSONSerialization.jsonObject(with: data),
            let object = parsed as? [String: Any]
        else {
            let excerpt = text.count > 200 ? String(text.prefix(200)) + "…" : text
            throw ProviderError.decoding(provider: provider, message: "malformed JSON in \(context): \(excerpt)")
        }
        return object
    }

    /// Decodes one event into `type`, or explains (for the error) why it cannot.
    static func decode<T: Decodable>(_ type: T.Type, _ text: String, provider: String, context: String) throws(ProviderError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            let excerpt = text.count > 200 ? String(text.prefix(200)) + "…" : text
            throw ProviderError.decoding(provider: provider, message: "malformed JSON in \(context): \(excerpt)")
        }
    }

    static func int(_ any: Any?) -> Int64? {
        guard let any, !(any is NSNull) else { return nil }
        if let number = any as? NSNumber { return number.int64Value }
        if let int = any as? Int { return Int64(int) }
        return nil
    }

    static func string(_ any: Any?) -> String? { any as? String }

    static func dictionary(_ any: Any?) -> [String: Any]? { any as? [String: Any] }

    /// Serializes a request body. Keys sorted so the same request is the same bytes.
    static func data(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}
