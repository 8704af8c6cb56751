import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

/// `--db` and `--config`, shared by every command that touches the ledger.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger file.", discussion: "Default: $LLM_COST_DB, else ledger.path from the config, else $XDG_DATA_HOME/llm-cost/ledger.sqlite.", valueName: "path"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("The config file (default: $LLM_COST_CONFIG, ./llm-cost.toml, $XDG_CONFIG_HOME/llm-cost/config.toml).", valueName: "path"))
    var config: String?

    /// The effective configuration, with `--db` applied.
    func loadConfiguration() throws -> Configuration {
        var configuration = try Configuration.load(explicitPath: config)
        if let db { configuration.override("ledger.path", with: .string(db), flag: "--db") }
        return configuration
    }

    /// What a command does with the ledger.
    enum Access {
        /// Reads only: connections are read-only, so a process holding the write lock (an
        /// import, a shell) never stops a report.
        case read
        /// Changes an existing ledger.
        case write
        /// Records calls: a missing file is created. For the others a mistyped path is an
        /// error, not a new ledger.
        case create
    }

    /// Opens the ledger the options and configuration point at.
    func openLedger(_ configuration: Configuration, for access: Access) throws -> Ledger {
        try configuration.openLedger(createIfMissing: access == .create, readOnly: access == .read)
    }
}

/// `--since`, `--until` and `--tz`, shared by every command that reads a window of calls.
struct TimeWindowOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start of the window: \(TimeExpression.accepted).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("End of the window (exclusive; a bare date includes that whole day).", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Time zone for days, weeks, months and dates (default: report.timezone, local).", valueName: "zone"))
    var tz: String?

    /// The window in ms since 1970 UTC and the zone used. Relative times count from `now`
    /// (the reports' hidden `--now`, for tests and reproducible output, read in that zone),
    /// else from the present; `now` comes back resolved.
    func resolve(_ configuration: Configuration, now written: String? = nil) throws -> (since: Int64?, until: Int64?, zone: TimeZone, now: Int64?) {
        let zone = try resolveTimeZone(tz, configuration: configuration)
        let now = try resolveTime(written, flag: "--now", timeZone: zone, isEnd: false)
        let clock = now.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) } ?? Date()
        return (
            try resolveTime(since, flag: "--since", timeZone: zone, isEnd: false, now: clock),
            try resolveTime(until, flag: "--until", timeZone: zone, isEnd: true, now: clock),
            zone, now)
    }
}

/// The zone named by `--tz` or `report.timezone`: an IANA name, `UTC`, or `local`.
func resolveTimeZone(_ name: String?, configuration: Configuration) throws -> TimeZone {
    let written = name ?? configuration.string("report.timezone") ?? "local"
    if written.lowercased() == "local" { return .current }
    if let zone = TimeZone(identifier: written) { return zone }
    if name != nil { throw CommandFailure.usage("--tz: unknown time zone \"\(written)\" (an IANA name like Europe/Paris, UTC, or local)") }
    throw configuration.invalid("report.timezone", "unknown time zone \"\(written)\" (an IANA name like Europe/Paris, UTC, or local)")
}

/// Parses `--since`/`--until`-style times, naming the flag in the error.
func resolveTime(_ text: String?, flag: String, timeZone: TimeZone, isEnd: Bool, now: Date = Date()) throws -> Int64? {
    guard let text else { return nil }
    guard let ms = TimeExpression.resolve(text, now: now, timeZone: timeZone, isEnd: isEnd) else {
        throw CommandFailure.usage("\(flag): cannot read \"\(text)\"; expected \(TimeExpression.accepted)")
    }
    return ms
}

/// Parses repeated `--tag key=value` options of a call: one value per key.
func parseTags(_ written: [String], flag: String = "--tag") throws -> [String: String] {
    var tags: [String: String] = [:]
    for tag in try parseTagFilters(written, flag: flag) {
        if let earlier = tags[tag.key], earlier != tag.value {
            throw CommandFailure.usage("\(flag): the tag \"\(tag.key)\" is given twice (\"\(earlier)\" and \"\(tag.value)\"); a call has one value per key")
        }
        tags[tag.key] = tag.value
    }
    return tags
}

/// Parses repeated `--tag key=value` report filters (a key may repeat: any of its values).
func parseTagFilters(_ written: [String], flag: String = "--tag") throws -> [TagFilter] {
    try written.map { text in
        guard let tag = TagFilter(text) else { throw CommandFailure.usage("\(flag): expected key=value, got \"\(text)\"") }
        return tag
    }
}

func expandTilde(_ path: String) -> String { Configuration.expandingTilde(path) }

/// The pricing the CLI prices unpriced calls with (see `Configuration.pricing()`).
func loadPricing(_ configuration: Configuration) throws -> (any CallPricing)? {
    try configuration.pricing()
}

/// The same pricing, as itself (for `providers list`, `estimate`).
func loadConfiguredPricing(_ configuration: Configuration) throws -> ConfiguredPricing {
    try configuration.pricing()
}

/// The same table, as itself (to resolve a model's provider).
func loadPriceTable(_ configuration: Configuration) throws -> PriceTable {
    try configuration.priceTable()
}
