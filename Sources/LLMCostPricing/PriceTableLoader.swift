import Foundation
import LLMCostCore

/// Loads the pricing table: the default files the binary carries, then a user folder whose
/// files add models or replace the defaults' models (negotiated rates, new models), and the
/// LiteLLM map snapshot that prices the models none of them list (the user folder's
/// `litellm-snapshot.tsv`, written by `llm-cost pricing update --litellm`, else the built-in one).
public enum PriceTableLoader {
    /// The default table's files, as embedded in the binary at build time.
    public static var defaultSources: [PricingSource] {
        DefaultPricingFiles.all.map { PricingSource(name: $0.name, text: String(decoding: $0.bytes, as: UTF8.self)) }
    }

    /// The built-in LiteLLM map snapshot (`pricing/litellm-snapshot.tsv`), as embedded at build time.
    public static var defaultSnapshotSource: PricingSource {
        PricingSource(
            name: LiteLLMSnapshot.fileName,
            text: EmbeddedLiteLLMSnapshot.text.withUTF8Buffer { String(decoding: $0, as: UTF8.self) })
    }

    /// The snapshot in `directory` (a user pricing folder), if there is one: it replaces the
    /// built-in snapshot.
    public static func snapshotSource(inDirectory directory: URL) throws(PricingError) -> PricingSource? {
        let url = directory.appendingPathComponent(LiteLLMSnapshot.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return PricingSource(name: url.path, text: try String(contentsOf: url, encoding: .utf8))
        } catch {
            throw .unreadableFile(url.path, error.localizedDescription)
        }
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

    /// Every problem in the default files plus `user` files and the LiteLLM `snapshot`: TOML
    /// syntax, unknown fields, missing or negative prices, overlapping dates, clashing names,
    /// malformed snapshot lines. Empty means valid.
    public static func validate(
        defaults: [PricingSource] = defaultSources, user: [PricingSource], snapshot: PricingSource? = defaultSnapshotSource
    ) -> [PricingIssue] {
        build(defaults: defaults, user: user, snapshot: snapshot, checkingEveryLine: true).1
    }

    /// The table from the default files, `user` files and the LiteLLM `snapshot` (`nil`: no
    /// fallback, every model outside the curated files is unpriced); throws every problem found
    /// (in the snapshot: its header and keys; a malformed model line leaves that model unpriced,
    /// and `validate` reports it).
    public static func load(
        defaults: [PricingSource] = defaultSources, user: [PricingSource], snapshot: PricingSource? = defaultSnapshotSource
    ) throws(PricingError) -> PriceTable {
        let (table, issues) = build(defaults: defaults, user: user, snapshot: snapshot)
        guard issues.isEmpty, let table else { throw .invalidTable(issues) }
        return table
    }

    /// The table from the default files and the user folder (see `userDirectory`), with the
    /// folder's LiteLLM snapshot if it has one, else the built-in snapshot.
    public static func load(userDirectory override: URL? = nil) throws(PricingError) -> PriceTable {
        let directory = userDirectory(override: override)
        return try load(
            user: try sources(inDirectory: directory),
            snapshot: try snapshotSource(inDirectory: directory) ?? defaultSnapshotSource)
    }

    /// Parses and builds. The snapshot's model lines are parsed when first used, unless
    /// `checkingEveryLine` (validation) asks for all of them now.
    static func build(
        defaults: [PricingSource], user: [PricingSource], snapshot: PricingSource?, checkingEveryLine: Bool = false
    ) -> (PriceTable?, [PricingIssue]) {
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
        var (table, found) = PriceTable.build(defaults: defaultFiles, user: userFiles)
        issues += found
        if let snapshot {
            let (parsed, snapshotIssues) = LiteLLMSnapshot.read(snapshot, checkingEveryLine: checkingEveryLine)
            issues += snapshotIssues
            table.snapshot = parsed
        }
        return (table, issues)
    }
}
