import Foundation
import LLMCostTOML

/// The `[alerts]` table: where budget threshold alerts go.
///
/// ```toml
/// [alerts]
/// log = true                                   # a line on stderr (default true)
/// webhook_url = "https://hooks.slack.com/..."  # JSON POST, Slack-compatible `text` + fields
/// webhook_timeout_ms = 5000
/// webhook_retries = 2                          # extra tries within one delivery
/// command = "notify-send \"$LLM_COST_BUDGET\"" # run by /bin/sh with LLM_COST_* variables
/// max_attempts = 5                             # deliveries tried (across calls) before giving up
/// ```
public struct AlertSettings: Sendable, Hashable {
    public var log: Bool = true
    public var webhookURL: URL?
    public var webhookTimeoutMilliseconds: Int64 = 5000
    public var webhookRetries: Int64 = 2
    public var command: String?
    /// How long an alert command may run before it is stopped and the delivery counts as failed.
    public var commandTimeoutMilliseconds: Int64 = 10_000
    public var maxAttempts: Int64 = 5

    public init() {}

    /// Keys `[alerts]` accepts.
    public static let keys = ["log", "webhook_url", "webhook_timeout_ms", "webhook_retries", "command", "command_timeout_ms", "max_attempts"]

    static func read(
        _ table: TOMLTable, file: String, environment: [String: String]
    ) throws(ConfigError) -> AlertSettings {
        var settings = AlertSettings()
        for entry in table {
            let key = entry.key
            let line: Int? = entry.keyPosition.line
            guard keys.contains(key) else { throw .unknownKey(file: file, line: line, key: "alerts.\(key)", known: keys) }
            let value = try Configuration.convert(entry.value, key: "alerts.\(key)", file: file, line: line, environment: environment)
            switch (key, value) {
            case ("log", .bool(let flag)): settings.log = flag
            case ("webhook_url", .string(let text)):
                guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                    throw .invalidValue(file: file, line: line, key: "alerts.webhook_url", reason: "expected an http(s) URL, got \"\(text)\"")
                }
                settings.webhookURL = url
            case ("webhook_timeout_ms", .integer(let number)) where number > 0: settings.webhookTimeoutMilliseconds = number
            case ("webhook_retries", .integer(let number)) where number >= 0: settings.webhookRetries = number
            case ("command_timeout_ms", .integer(let number)) where number > 0: settings.commandTimeoutMilliseconds = number
            case ("max_attempts", .integer(let number)) where number > 0: settings.maxAttempts = number
            case ("command", .string(let text)) where !text.isEmpty: settings.command = text
            case ("log", _): throw .wrongType(file: file, line: line, key: "alerts.log", expected: "true or false")
            case ("webhook_url", _), ("command", _):
                throw .wrongType(file: file, line: line, key: "alerts.\(key)", expected: "a non-empty string")
            default:
                throw .wrongType(file: file, line: line, key: "alerts.\(key)", expected: "a positive integer")
            }
        }
        return settings
    }
}
