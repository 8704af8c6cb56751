import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export calls as JSON Lines (re-importable exactly) or CSV.")

    @OptionGroup var ledger: LedgerOptions

    @OptionGroup var formatOption: FormatOption<CallExportFormat>
    @OptionGroup var window: TimeWindowOptions
    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    func run() throws {
        let exportFormat = formatOption.format
        let configuration = try ledger.loadConfiguration()
        let (start, end, _, _) = try window.resolve(configuration)
        let source = try ledger.openLedger(configuration, for: .read)
        let sink: FileOutput
        if let output {
            sink = try FileOutput.creating(output)
        } else {
            sink = .standardOutput
        }
        var buffer = ""
        do {
            try CallExport.write(from: source, format: exportFormat, since: start, until: end) { chunk in
                buffer += chunk
                if buffer.utf8.count >= 1 << 16 {
                    try sink.writeOrThrow(buffer)
                    buffer = ""
                }
            }
            try sink.writeOrThrow(buffer)
        } catch let error as POSIXError {
            if output != nil { try? sink.close() }
            throw CommandFailure.runtime("export stopped: cannot write \(output ?? "standard output"): \(error.localizedDescription); the output is incomplete")
        }
        if output != nil {
            do { try sink.close() } catch {
                throw CommandFailure.runtime("export: closing \(output ?? "") failed: \(error.localizedDescription); the output may be incomplete")
            }
        }
    }
}

extension CallExportFormat: OutputFormatChoices {
    public static let standard = CallExportFormat.jsonl
}
