import Foundation
import LLMCostCore

/// The text of `llm-cost config show`.
public enum ConfigReport {
    public static func render(_ configuration: Configuration, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var lines = ["# config file: \(configuration.file ?? "none (built-in defaults)")"]
        for setting in Configuration.settings {
            let resolved = configuration.values[setting.key]
            var value = resolved?.value?.description ?? "(computed) " + computedDefault(setting.key, environment: environment)
            // A ledger URL may carry a password: never shown.
            if setting.key == "ledger.path" { value = ConnectionURLRedaction.redacting(value) }
            lines.append("\(setting.key) = \(value)    # \(resolved?.source.description ?? "default")")
        }
        for provider in configuration.providers {
            lines.append("")
            lines.append("[providers.\(provider.name)]    # \(provider.file)\(provider.line.map { ":\($0)" } ?? "")")
            for key in provider.keys {
                guard let value = provider.written[key] else { continue }
                lines.append("\(key) = \(redacted(key: key, value: value))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Header values can be credentials even when written literally: show names only.
    private static func redacted(key: String, value: ConfigValue) -> String {
        guard key == "extra_headers", case .table(let headers) = value else { return value.description }
        return "{ " + headers.keys.sorted().map { "\($0) = <redacted>" }.joined(separator: ", ") + " }"
    }

    private static func computedDefault(_ key: String, environment: [String: String]) -> String {
        let home = environment["HOME"] ?? NSHomeDirectory()
        switch key {
        case "ledger.path":
            let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share"
            return "\"\(data)/llm-cost/ledger.sqlite\""
        case "pricing.dir":
            let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
            return "\"\(config)/llm-cost/pricing\""
        default:
            return ""
        }
    }
}
