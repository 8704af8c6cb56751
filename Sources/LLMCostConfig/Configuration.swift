import Foundation
import LLMCostCore
import LLMCostTOML

/// Where a setting's value came from, for `llm-cost config show`.
public enum ConfigSource: Sendable, Hashable, CustomStringConvertible {
    case builtInDefault
    case file(path: String, line: Int?)
    case environment(String)
    case commandLine(String)

    public var description: String {
        switch self {
        case .builtInDefault: "default"
        case .file(let path, let line): line.map { "\(path):\($0)" } ?? path
        case .environment(let name): "env \(name)"
        case .commandLine(let flag): "flag \(flag)"
        }
    }
}

/// One documented setting: its key, type, default and environment override.
public struct ConfigSetting: Sendable {
    public enum Kind: Sendable {
        case string, integer, stringArray
    }

    public var key: String
    public var kind: Kind
    /// The default, as shown to people (`nil`: computed, see `summary`).
    public var defaultValue: ConfigValue?
    public var environment: String?
    public var summary: String
}

/// The effective configuration: the config file (if any) over built-in defaults, environment
/// variables over the file, command-line flags over everything.
///
/// Search order for the file: `--config` / `LLM_COST_CONFIG`, else `./llm-cost.toml`, else
/// `$XDG_CONFIG_HOME/llm-cost/config.toml` (`~/.config/llm-cost/config.toml`). No file is fine:
/// every key has a default. Unknown keys are errors with file and line. `${VAR}` in a string
/// is replaced by the environment variable.
public struct Configuration: Sendable {
    /// Every setting this version knows, documented (the README's table is generated from it).
    public static let settings: [ConfigSetting] = [
        ConfigSetting(
            key: "ledger.path", kind: .string, defaultValue: nil, environment: "LLM_COST_DB",
            summary: "the SQLite ledger file (default $XDG_DATA_HOME/llm-cost/ledger.sqlite, else ~/.local/share/llm-cost/ledger.sqlite), or a postgres:// URL"),
        ConfigSetting(
            key: "ledger.password_env", kind: .string, defaultValue: nil, environment: nil,
            summary: "for a postgres:// ledger: the environment variable holding its password (else PGPASSWORD, then ~/.pgpass)"),
        ConfigSetting(
            key: "ledger.busy_timeout_ms", kind: .integer, defaultValue: .integer(5000),
            environment: "LLM_COST_BUSY_TIMEOUT_MS",
            summary: "how long a write waits for another process's lock before failing"),
        ConfigSetting(
            key: "report.timezone", kind: .string, defaultValue: .string("local"), environment: "LLM_COST_TIMEZONE",
            summary: "zone for days, weeks, months and date arguments: an IANA name (Europe/Paris), UTC, or local"),
        ConfigSetting(
            key: "report.group_by", kind: .stringArray, defaultValue: .array([.string("model")]),
            environment: "LLM_COST_GROUP_BY",
            summary: "default --by: provider, model, agent, session, tag:KEY, day, week, month (env: comma-separated)"),
        ConfigSetting(
            key: "report.format", kind: .string, defaultValue: .string("table"), environment: "LLM_COST_FORMAT",
            summary: "default --format: table, json, csv or markdown"),
        ConfigSetting(
            key: "pricing.dir", kind: .string, defaultValue: nil, environment: "LLM_COST_PRICING_DIR",
            summary: "folder of pricing files that add to or override the built-in table (default $XDG_CONFIG_HOME/llm-cost/pricing)"),
        ConfigSetting(
            key: "proxy.host", kind: .string, defaultValue: .string("127.0.0.1"), environment: "LLM_COST_PROXY_HOST",
            summary: "the address `llm-cost proxy` listens on"),
        ConfigSetting(
            key: "proxy.port", kind: .integer, defaultValue: .integer(8787), environment: "LLM_COST_PROXY_PORT",
            summary: "the port `llm-cost proxy` listens on (0: a free one)"),
        ConfigSetting(
            key: "proxy.shutdown_grace_ms", kind: .integer, defaultValue: .integer(10_000), environment: "LLM_COST_PROXY_SHUTDOWN_GRACE_MS",
            summary: "on SIGTERM or SIGINT, how long `llm-cost proxy` lets calls in flight finish before cutting them"),
        ConfigSetting(
            key: "proxy.unmetered", kind: .string, defaultValue: .string("refuse-under-block"), environment: "LLM_COST_PROXY_UNMETERED",
            summary: "billed calls the proxy cannot meter (images, audio, batches): refuse-under-block (while a block budget covers them), refuse, or allow"),
        ConfigSetting(
            key: "proxy.access_tokens_file", kind: .string, defaultValue: nil, environment: "LLM_COST_PROXY_ACCESS_TOKENS_FILE",
            summary: "a private (0600) file of tokens `llm-cost proxy` requires, one `TOKEN [AGENT]` per line (default: none, open to local users)"),
        ConfigSetting(
            key: "proxy.hold_keys", kind: .stringArray, defaultValue: .array([]), environment: "LLM_COST_PROXY_HOLD_KEYS",
            summary: "providers whose key (api_key_env) `llm-cost proxy` sends itself, dropping the client's credentials"),
        ConfigSetting(
            key: "proxy.key_agents", kind: .stringArray, defaultValue: .array([]), environment: nil,
            summary: "agents by client key: SHA256HEX=AGENT (printf %s \"$KEY\" | sha256sum; 16+ digits)"),
    ]

    /// Keys a `[providers.NAME]` table accepts.
    public static let providerKeys = [
        "type", "model", "base_url", "api_key_env", "auth", "extra_headers", "deployment",
        "api_version", "timeout", "max_retries", "pricing_provider", "oauth",
        // type = "router"
        "candidates", "strategy", "requires", "min_context", "failure_threshold", "cool_down",
    ]

    /// A resolved setting.
    public struct Resolved: Sendable {
        public var value: ConfigValue?
        public var source: ConfigSource
    }

    /// A `[providers.NAME]` table: raw values (with `${VAR}` substituted) and where it is written.
    public struct ProviderTable: Sendable {
        public var name: String
        public var values: [String: ConfigValue]
        /// The values as the file writes them, `${VAR}` kept: what `config show` prints, since a
        /// substituted variable may hold a credential.
        public var written: [String: ConfigValue] = [:]
        /// The table's keys in the order the file writes them.
        public var keys: [String] = []
        public var file: String
        public var line: Int?
    }

    /// The config file read, if any.
    public private(set) var file: String?
    public private(set) var values: [String: Resolved] = [:]
    public private(set) var providers: [ProviderTable] = []
    /// The `[[budgets]]` tables, in file order, and the `[alerts]` table (see `BudgetSettings`).
    public var budgets: [BudgetSettings] = []
    public var alerts = AlertSettings()

    /// Loads the effective configuration.
    public static func load(
        explicitPath: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ConfigError) -> Configuration {
        var configuration = Configuration()
        for setting in settings {
            configuration.values[setting.key] = Resolved(value: setting.defaultValue, source: .builtInDefault)
        }
        if let path = locateFile(explicitPath: explicitPath, environment: environment, workingDirectory: workingDirectory) {
            try configuration.read(file: path, environment: environment)
        }
        try configuration.applyEnvironment(environment)
        return configuration
    }

    /// The configuration a document in memory gives (`file` names it in errors), over the
    /// built-in defaults, with `environment`'s variables applied as for a file on disk.
    public static func parse(
        _ bytes: [UInt8], file: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> Configuration {
        var configuration = Configuration()
        for setting in settings {
            configuration.values[setting.key] = Resolved(value: setting.defaultValue, source: .builtInDefault)
        }
        try configuration.read(bytes, file: file, environment: environment)
        try configuration.applyEnvironment(environment)
        return configuration
    }

    /// Sets `key` from a command-line flag.
    public mutating func override(_ key: String, with value: ConfigValue, flag: String) {
        values[key] = Resolved(value: value, source: .commandLine(flag))
    }

    public func string(_ key: String) -> String? {
        if case .string(let text)? = values[key]?.value { return text }
        return nil
    }

    public func integer(_ key: String) -> Int64? {
        if case .integer(let value)? = values[key]?.value { return value }
        return nil
    }

    /// `key`'s value as a file path, a leading `~` meaning the home folder.
    public func path(_ key: String) -> String? {
        string(key).map(Self.expandingTilde)
    }

    /// `path` with a leading `~` (alone or before `/`) replaced by the home folder.
    public static func expandingTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return NSHomeDirectory() + path.dropFirst()
    }

    public func strings(_ key: String) -> [String]? {
        guard case .array(let items)? = values[key]?.value else { return nil }
        return items.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
    }

    /// Where `key`'s value came from.
    public func source(of key: String) -> ConfigSource? { values[key]?.source }

    /// A located error about `key`'s value (file and line when it came from the file).
    public func invalid(_ key: String, _ reason: String) -> ConfigError {
        switch values[key]?.source {
        case .file(let path, let line)?: return .invalidValue(file: path, line: line, key: key, reason: reason)
        case .environment(let name)?: return .invalidValue(file: "environment variable \(name)", line: nil, key: key, reason: reason)
        case .commandLine(let flag)?: return .invalidValue(file: "option \(flag)", line: nil, key: key, reason: reason)
        default: return .invalidValue(file: file, line: nil, key: key, reason: reason)
        }
    }

    // MARK: - Loading

    static func locateFile(explicitPath: String?, environment: [String: String], workingDirectory: String) -> String? {
        if let explicitPath, !explicitPath.isEmpty { return explicitPath }
        if let path = environment["LLM_COST_CONFIG"], !path.isEmpty { return path }
        let local = workingDirectory + "/llm-cost.toml"
        if FileManager.default.fileExists(atPath: local) { return local }
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        let user = configHome + "/llm-cost/config.toml"
        return FileManager.default.fileExists(atPath: user) ? user : nil
    }

    private mutating func read(file path: String, environment: [String: String]) throws(ConfigError) {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        try read(bytes, file: path, environment: environment)
    }

    private mutating func read(_ bytes: [UInt8], file path: String, environment: [String: String]) throws(ConfigError) {
        let root: TOMLTable
        do {
            root = try TOMLParser.parse(bytes)
        } catch {
            throw .syntax(file: path, error)
        }
        file = path
        let known = Self.settings.map(\.key)
        let sections = Set(known.map { String($0.prefix { $0 != "." }) } + ["providers"])
        for section in root {
            let sectionName = section.key
            if sectionName == "budgets", let tables = section.value.array {
                for (index, element) in tables.enumerated() {
                    guard let table = element.value.table else {
                        throw .wrongType(file: path, line: element.position.line, key: "budgets", expected: "[[budgets]] tables")
                    }
                    let budget = try BudgetSettings.read(table, index: index, file: path, environment: environment)
                    // Spend, reservations and alert state are kept per budget name.
                    if let earlier = budgets.first(where: { $0.name == budget.name }) {
                        throw .invalidValue(
                            file: path, line: budget.line, key: "budgets[\(index)].name",
                            reason: "\"\(budget.name)\" names an earlier budget too\(earlier.line.map { " (line \($0))" } ?? ""); each budget needs its own name")
                    }
                    budgets.append(budget)
                }
                continue
            }
            if sectionName == "alerts", let table = section.value.table {
                alerts = try AlertSettings.read(table, file: path, environment: environment)
                continue
            }
            guard sections.contains(sectionName), let table = section.value.table else {
                throw .unknownKey(file: path, line: section.keyPosition.line, key: sectionName,
                                  known: sections.sorted().map { "[\($0)]" } + ["[[budgets]]", "[alerts]"])
            }
            if sectionName == "providers" {
                try readProviders(table, file: path, environment: environment)
                continue
            }
            for entry in table {
                let fullKey = "\(sectionName).\(entry.key)"
                let line = entry.keyPosition.line
                guard let setting = Self.settings.first(where: { $0.key == fullKey }) else {
                    throw .unknownKey(file: path, line: line, key: fullKey, known: known.filter { $0.hasPrefix(sectionName + ".") })
                }
                let converted = try Self.convert(entry.value, key: fullKey, file: path, line: line, environment: environment)
                try Self.check(converted, against: setting, file: path, line: line)
                values[fullKey] = Resolved(value: converted, source: .file(path: path, line: line))
            }
        }
    }

    private mutating func readProviders(_ section: TOMLTable, file path: String, environment: [String: String]) throws(ConfigError) {
        for provider in section {
            let name = provider.key
            let tableLine = provider.keyPosition.line
            guard let table = provider.value.table else {
                throw .wrongType(file: path, line: tableLine, key: "providers.\(name)", expected: "a table [providers.\(name)]")
            }
            var entries: [String: ConfigValue] = [:]
            var written: [String: ConfigValue] = [:]
            for entry in table {
                let key = entry.key
                let fullKey = "providers.\(name).\(key)"
                let line = entry.keyPosition.line
                guard Self.providerKeys.contains(key) else {
                    throw .unknownKey(file: path, line: line, key: fullKey, known: Self.providerKeys)
                }
                entries[key] = try Self.convert(entry.value, key: fullKey, file: path, line: line, environment: environment)
                written[key] = try Self.convert(entry.value, key: fullKey, file: path, line: line, environment: nil)
            }
            providers.append(
                ProviderTable(name: name, values: entries, written: written, keys: table.keys, file: path, line: tableLine))
        }
        providers.sort { $0.name < $1.name }
    }

    private mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigError) {
        for setting in Self.settings {
            guard let variable = setting.environment, let text = environment[variable], !text.isEmpty else { continue }
            let value: ConfigValue
            switch setting.kind {
            case .string: value = .string(text)
            case .integer:
                guard let integer = Int64(text) else {
                    throw .wrongType(file: "environment variable \(variable)", line: nil, key: setting.key, expected: "an integer")
                }
                value = .integer(integer)
            case .stringArray:
                value = .array(text.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
            }
            values[setting.key] = Resolved(value: value, source: .environment(variable))
        }
    }

    private static func check(_ value: ConfigValue, against setting: ConfigSetting, file: String, line: Int?) throws(ConfigError) {
        switch (setting.kind, value) {
        case (.string, .string), (.integer, .integer): return
        case (.stringArray, .array(let items)) where items.allSatisfy({ if case .string = $0 { true } else { false } }): return
        case (.string, _): throw .wrongType(file: file, line: line, key: setting.key, expected: "a string")
        case (.integer, _): throw .wrongType(file: file, line: line, key: setting.key, expected: "an integer")
        case (.stringArray, _): throw .wrongType(file: file, line: line, key: setting.key, expected: "an array of strings")
        }
    }

    /// Converts a TOML value; `environment: nil` keeps `${VAR}` as written. Floats keep their
    /// written decimal text, so money read from them is exact.
    static func convert(
        _ value: TOMLValue, key: String, file: String, line: Int?, environment: [String: String]?
    ) throws(ConfigError) -> ConfigValue {
        switch value {
        case .string(let text):
            guard let environment else { return .string(text) }
            return .string(try substitute(text, key: key, file: file, line: line, environment: environment))
        case .integer(let number): return .integer(number)
        case .float(let number): return .decimal(number.text)
        case .boolean(let flag): return .bool(flag)
        case .array(let array):
            var items: [ConfigValue] = []
            for element in array {
                items.append(try convert(element.value, key: key, file: file, line: element.position.line, environment: environment))
            }
            return .array(items)
        case .table(let table):
            var entries: [String: ConfigValue] = [:]
            for entry in table {
                entries[entry.key] = try convert(
                    entry.value, key: "\(key).\(entry.key)", file: file, line: entry.keyPosition.line, environment: environment)
            }
            return .table(entries)
        case .dateTime, .date, .time:
            throw .wrongType(file: file, line: line, key: key, expected: "a string, number, boolean, array or table (dates are written as strings)")
        }
    }

    /// Replaces each `${NAME}` with the environment variable `NAME` (an error if it is unset).
    static func substitute(
        _ text: String, key: String, file: String?, line: Int?, environment: [String: String]
    ) throws(ConfigError) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                result += rest[start.lowerBound...]
                return result
            }
            let name = String(rest[start.upperBound..<end])
            guard let replacement = environment[name] else {
                throw .missingVariable(file: file, line: line, key: key, variable: name)
            }
            result += replacement
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }
}
