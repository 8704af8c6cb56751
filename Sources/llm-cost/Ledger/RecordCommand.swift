import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record one call by hand or from a script.",
        discussion: """
            Token counts use the ledger's shape: --input is uncached input; cache reads and \
            writes are separate; --reasoning is part of --output. Without --cost-usd the call is \
            priced from the pricing table, or stored as unpriced. Recording the same \
            --request-id twice counts once.
            """)

    @OptionGroup var ledger: LedgerOptions

    @Option(help: "Provider name (anthropic, openai, openrouter, ...).") var provider: String
    @Option(help: "Model id as called.") var model: String
    @Option(help: "Agent the call is attributed to.") var agent: String?
    @Option(help: "Session the call belongs to.") var session: String?
    @Option(help: ArgumentHelp("A tag (repeatable).", valueName: "key=value")) var tag: [String] = []
    @OptionGroup var counts: UsageOptions
    @Option(name: .customLong("cost-usd"), help: ArgumentHelp("The exact cost, as a decimal.", valueName: "decimal")) var costUSD: String?
    @Option(name: .customLong("request-id"), help: "The provider's request id (makes the record idempotent).") var requestID: String?
    @Option(help: ArgumentHelp("When the call started (ISO 8601; default now).", valueName: "time")) var at: String?
    @Option(help: "ok, error or cancelled.") var status: String = "ok"
    @Option(name: .customLong("latency-ms"), help: "Call latency in milliseconds.") var latencyMs: Int64?

    func run() throws {
        var record = CallRecord(
            timestamp: Date(), provider: provider, model: model, agent: agent, session: session,
            tags: try parseTags(tag), requestID: requestID.flatMap { $0.isEmpty ? nil : $0 },
            usage: try counts.usage(), latencyMilliseconds: latencyMs)
        guard let callStatus = CallStatus(rawValue: status) else {
            throw CommandFailure.usage("--status: expected ok, error or cancelled, got \"\(status)\"")
        }
        record.status = callStatus
        if let at {
            guard let ms = Timestamp.parseMilliseconds(at) else {
                throw CommandFailure.usage("--at: expected an ISO 8601 date-time with a zone, such as 2026-11-20T14:03:00Z")
            }
            record.epochMilliseconds = ms
        }
        if let costUSD {
            guard let cost = Money(decimalUSD: costUSD), cost.nanoUSD >= 0, cost <= CallRecord.maximumCost else {
                throw CommandFailure.usage("--cost-usd: expected a decimal amount from 0 to \(CallRecord.maximumCost.decimalString), such as 0.0123, got \"\(costUSD)\"")
            }
            record.cost = cost
        }
        let configuration = try ledger.loadConfiguration()
        let outcome = try ledger.openLedger(configuration, for: .create).record(record, pricing: try loadPricing(configuration))
        switch outcome {
        case .inserted: FileOutput.standardOutput.write("recorded \(provider)/\(model)\n")
        case .duplicate: FileOutput.standardOutput.write("already recorded (request id \(requestID ?? "-")): nothing changed\n")
        case .grown: FileOutput.standardOutput.write("recorded \(provider)/\(model)\n") // `record` never grows a call
        }
    }
}
