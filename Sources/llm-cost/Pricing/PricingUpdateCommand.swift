import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostPricing

/// `llm-cost pricing update --litellm FILE`: replace the LiteLLM map snapshot (the fallback for
/// models the curated table lacks) with a newer map, saying what changed.
struct PricingUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Replace the LiteLLM map snapshot that prices models the curated table lacks.",
        discussion: """
            Converts a LiteLLM price map (model_prices_and_context_window.json) into a snapshot: \
            chat, completion and responses models with per-token prices; a $0 cache-write price \
            is treated as absent. Writes it as litellm-snapshot.tsv in the user pricing folder, \
            where it replaces the built-in snapshot, and prints how many models were added, \
            changed and removed against the snapshot in use. The curated table always wins: the \
            snapshot prices only models it does not match. To change curated prices, use \
            `pricing import --litellm` (user overrides) instead.
            """)

    @OptionGroup var pricing: PricingOptions
    @Option(help: ArgumentHelp("The LiteLLM map (model_prices_and_context_window.json).", valueName: "file"))
    var litellm: String
    @Option(help: ArgumentHelp("The day the map was taken, labelling every call it prices (default today, UTC).", valueName: "YYYY-MM-DD"))
    var date: String?
    @Option(help: ArgumentHelp("Write the snapshot to this file instead of the user pricing folder.", valueName: "path"))
    var output: String?
    @Flag(name: .customLong("dry-run"), help: "Show what would change; write nothing.") var dryRun = false

    func validate() throws {
        if let date, date.count != 10 || PricingDate.parse(date) == nil {
            throw ValidationError("--date: expected YYYY-MM-DD, got \"\(date)\"")
        }
    }

    func run() throws {
        let day = date ?? PricingDate.format(PricingDate.milliseconds(Date()) / 86_400_000 * 86_400_000)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: litellm))
        } catch {
            throw PricingUpdateFailure.unreadable(litellm, reason: error.localizedDescription)
        }
        let conversion = try LiteLLMSnapshot.convert(json: data, fileName: litellm)
        let text = LiteLLMSnapshot.text(
            rows: conversion.rows, date: day, mapName: URL(fileURLWithPath: litellm).lastPathComponent)
        let destination = output.map { URL(fileURLWithPath: $0) }
            ?? pricing.userDirectory.appendingPathComponent(LiteLLMSnapshot.fileName)
        // What the written file will be read as, checked before anything is replaced.
        let (converted, issues) = LiteLLMSnapshot.read(PricingSource(name: destination.path, text: text), checkingEveryLine: true)
        guard let converted, issues.isEmpty else {
            issues.prefix(20).forEach { FileOutput.standardOutput.line($0.description) }
            throw PricingUpdateFailure.invalidSnapshot(litellm, problems: issues.count)
        }

        let current = try currentSnapshot()
        let changes = current.changes(to: conversion.rows)
        FileOutput.standardOutput.line("LiteLLM map \(litellm): \(converted.count) models kept, \(conversion.skipped) skipped (other modes or no per-token prices)")
        FileOutput.standardOutput.line("against the snapshot of \(current.date) (\(current.fileName)): \(changes.added.count) added, \(changes.changed.count) changed, \(changes.removed.count) removed")
        for (sign, keys) in [("+", changes.added), ("~", changes.changed), ("-", changes.removed)] where !keys.isEmpty {
            let shown = keys.prefix(10).joined(separator: ", ")
            FileOutput.standardOutput.line("  \(sign) \(shown)\(keys.count > 10 ? ", ... (\(keys.count - 10) more)" : "")")
        }
        if dryRun {
            FileOutput.standardOutput.line("dry run: nothing written")
            return
        }
        do {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: destination, atomically: true, encoding: .utf8)
        } catch {
            throw PricingUpdateFailure.unwritable(destination.path, reason: error.localizedDescription)
        }
        FileOutput.standardOutput.line("wrote \(destination.path) (snapshot of \(day))")
    }

    /// The snapshot calls are priced by now: the user folder's, else the built-in one.
    private func currentSnapshot() throws -> LiteLLMSnapshot {
        let source = try PriceTableLoader.snapshotSource(inDirectory: pricing.userDirectory) ?? PriceTableLoader.defaultSnapshotSource
        let (snapshot, issues) = LiteLLMSnapshot.read(source, checkingEveryLine: true)
        if let snapshot { return snapshot }
        // A damaged user snapshot is about to be replaced: compare with the built-in one.
        issues.prefix(5).forEach { FileOutput.standardError.write("warning: \($0)\n") }
        let (builtIn, _) = LiteLLMSnapshot.read(PriceTableLoader.defaultSnapshotSource)
        guard let builtIn else { throw PricingUpdateFailure.invalidSnapshot(LiteLLMSnapshot.fileName, problems: issues.count) }
        return builtIn
    }
}

/// Why `pricing update` wrote nothing: the map could not be read or converted, or the snapshot
/// could not be written.
struct PricingUpdateFailure: Error, CustomStringConvertible {
    private enum Code {
        case unreadable
        case invalidSnapshot
        case unwritable
    }

    private let code: Code
    let description: String

    static func unreadable(_ path: String, reason: String) -> PricingUpdateFailure {
        PricingUpdateFailure(code: .unreadable, description: "cannot read LiteLLM map \(path): \(reason); nothing written")
    }

    static func invalidSnapshot(_ path: String, problems: Int) -> PricingUpdateFailure {
        PricingUpdateFailure(
            code: .invalidSnapshot, description: "the snapshot converted from \(path) has \(problems) problem(s); nothing written")
    }

    static func unwritable(_ path: String, reason: String) -> PricingUpdateFailure {
        PricingUpdateFailure(code: .unwritable, description: "cannot write \(path): \(reason)")
    }
}
