import Foundation

/// What crossed the wire, for debugging a provider: the request, the response head, each body
/// chunk. Secrets are already redacted when a hook sees an entry.
public enum RawLogEntry: Sendable {
    case request(method: String, url: String, headers: [(name: String, value: String)], body: String)
    case response(status: Int, headers: [String: String])
    case chunk(String)
}

/// A hook that receives every `RawLogEntry` of a provider's calls.
public typealias RawLogHook = @Sendable (_ provider: String, _ entry: RawLogEntry) -> Void

/// Removes secrets before anything is logged: the values of auth headers, and any occurrence
/// of a known secret (an API key pasted into a URL or echoed in a body).
struct SecretRedactor: Sendable {
    static let sensitiveHeaders: Set<String> = [
        "authorization", "x-api-key", "api-key", "proxy-authorization", "cookie", "set-cookie",
    ]
    static let mask = "[redacted]"

    var secrets: [String]

    init(secrets: [String]) {
        // Very short "secrets" would redact ordinary text; real keys are long.
        self.secrets = secrets.filter { $0.count >= 8 }
    }

    func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: Self.mask) }
    }

    func redact(headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        headers.map { header in
            Self.sensitiveHeaders.contains(header.name.lowercased())
                ? (header.name, Self.mask) : (header.name, redact(header.value))
        }
    }

    func redact(headers: [String: String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: redact(headers: headers.map { ($0.key, $0.value) }).map { ($0.name, $0.value) })
    }
}
