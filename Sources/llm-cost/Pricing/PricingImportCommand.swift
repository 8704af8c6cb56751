import ArgumentParser
import Foundation
import LLMCostCommandLine
import LLMCostPricing

/// `llm-cost pricing import --litellm FILE`: user overrides from a LiteLLM price map, after a diff.
struct PricingImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write user pricing files from a LiteLLM price map, showing the diff first.",
        discussion: """
            Compares each LiteLLM model (Anthropic, OpenAI, Gemini, Mistral, DeepSeek, xAI, Azure, \
            OpenRouter) with the table in force at --effective-from and writes the changed ones \
            (and, with --include-new, the ones the table lacks) to litellm-<provider>.toml in the \
            user pricing folder. An imported model's single entry replaces its built-in history.
            """)

    @OptionGroup var pricing: PricingOptions
    @Option(help: ArgumentHelp("The LiteLLM map (model_prices_and_context_window.json).", valueName: "file"))
    var litellm: String
    @Option(name: .customLong("effective-from"), help: ArgumentHelp("Start of the imported entries (default today, UTC).", valueName: "date"))
    var effectiveFrom: String?
    @Option(help: "Only this provider (repeatable; table names: anthropic, openai, google, ...).") var provider: [String] = []
    @Flag(name: .customLong("include-new"), help: "Also import models the table does not have.") var includeNew = false
    @Flag(name: .customLong("dry-run"), help: "Show the diff; write nothing.") var dryRun = false

    func run() throws {
        let table = try pricing.loadTable()
        let written = PricingDate.milliseconds(try PricingOptions.time(effectiveFrom, flag: "--effective-from"))
        // Without --effective-from the entries start today at midnight UTC, not this very second.
        let from = effectiveFrom == nil ? written - written % 86_400_000 : written
        let url = URL(fileURLWithPath: litellm)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CommandFailure.runtime("--litellm: cannot read \(litellm): \(error.localizedDescription)")
        }
        let providers = try provider.map { name in
            guard let known = table.providerName(name) else {
                throw CommandFailure.usage("--provider: no pricing file for \"\(name)\"")
            }
            return known
        }
        let plan = try LiteLLMImport.plan(
            json: data, fileName: litellm, against: table, at: from, providers: providers.isEmpty ? nil : Set(providers))

        var changed = 0
        var added = 0
        var unchanged = 0
        for (model, change) in plan.models {
            switch change {
            case .changed(let fields):
                changed += 1
                FileOutput.standardOutput.line("~ \(model.provider)/\(model.id)  \(fields.joined(separator: ", "))")
            case .added:
                added += 1
                if includeNew { FileOutput.standardOutput.line("+ \(model.provider)/\(model.id)  in \(model.prices.input) / out \(model.prices.output)") }
            case .unchanged:
                unchanged += 1
            }
        }
        FileOutput.standardOutput.line("\(changed) changed, \(added) new\(includeNew ? "" : " (not imported; --include-new)"), \(unchanged) unchanged, \(plan.skipped) skipped")

        let files = plan.files(effectiveFrom: from, mapName: url.lastPathComponent, includeNew: includeNew)
        let folder = pricing.userDirectory
        let kept = try PriceTableLoader.sources(inDirectory: folder).filter { source in
            !files.contains { folder.appendingPathComponent($0.name).path == source.name }
        }
        let issues = PriceTableLoader.validate(user: kept + files)
        if !issues.isEmpty {
            issues.prefix(20).forEach { FileOutput.standardOutput.line($0.description) }
            throw CommandFailure.runtime("the imported files would not validate (\(issues.count) problem(s)); nothing written")
        }
        if dryRun || files.isEmpty {
            FileOutput.standardOutput.line(dryRun ? "dry run: nothing written" : "nothing to write")
            return
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files {
            let destination = folder.appendingPathComponent(file.name)
            try file.text.write(to: destination, atomically: true, encoding: .utf8)
            FileOutput.standardOutput.line("wrote \(destination.path)")
        }
    }
}
