import Foundation
import LLMCostCore

/// Loads the pricing table: the default files the binary carries, then a user folder whose
/// files add models or replace the defaults' models (negotiated rates, new models).
public enum PriceTableLoader {
    /// The default table's files, as embedded in the binary at build time.
    public static var defaultSources: [PricingSource] {
        DefaultPricingFiles.all.map { PricingSource(name: $0.name, text: String(decoding: $0.bytes, as: UTF8.self)) }
    }

    /// The user folder: `override` if given (the `--pricing-dir` option or the config's
    /// `[pricing] dir`), else `$XDG_CONFIG_HOME/llm-cost/pricing/`, else
    /// `~/.config/llm-cost/pricing/`.
    public static func userDirectory(
        override: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        if let override { return override }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("llm-cost/pricing", isDirectory: true)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".config/llm-cost/pricing", isDirectory: true)
    }

    /// The `*.toml` files of `directory`, sorted by name; none if the folder does not exist.
    public static func sources(inDirectory directory: URL) throws(PricingError) -> [PricingSource] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { throw .unreadableFile(directory.path, "not a directory") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .unreadableFile(directory.path, error.localizedDescription)
        }
        var sources: [PricingSource] = []
        for name in names.sorted() where name.hasSuffix(".toml") {
            let url = directory.appendingPathComponent(name)
            do {
                sources.append(PricingSource(name: url.path, text: try String(contentsOf: url, encoding: .utf8)))
            } catch {
                throw .unreadableFile(url.path, error.localizedDescription)
            }
        }
        return sources
    }

    /// Every problem in the default files plus `user` files: TOML syntax, unknown fields,
    /// missing or negative prices, overlapping dates, clashing names. Empty means valid.
    public static func validate(defaults: [PricingSource] = defaultSources, user: [PricingSource]) -> [PricingIssue] {
        build(defaults: defaults, user: user).1
    }

    /// The table from the default files and `user` files; throws every problem found.
    public static func load(defaults: [PricingSource] = defaultSources, user: [PricingSource]) throws(PricingError)
        -> PriceTable
    {
        let (table, issues) = build(defaults: defaults, user: user)
        guard issues.isEmpty, let table else { throw .invalidTable(issues) }
        return table
    }

    /// The table from the default files and the user folder (see `userDirectory`).
    public static func load(userDirectory override: URL? = nil) throws(PricingError) -> PriceTable {
        try load(user: try sources(inDirectory: userDirectory(override: override)))
    }

    static func build(defaults: [PricingSource], user: [PricingSource]) -> (PriceTable?, [PricingIssue]) {
        var issues: [PricingIssue] = []
        func parseAll(_ sources: [PricingSource]) -> [ParsedPricingFile] {
            sources.compactMap { source in
                let (file, found) = PricingFileParser.parse(source)
                issues += found
                return file
            }
        }
        let defaultFiles = parseAll(defaults)
        let userFiles = parseAll(user)
        let (table, found) = PriceTable.build(defaults: defaultFiles, user: userFiles)
        issues += found
        return (table, issues)
    }
}
