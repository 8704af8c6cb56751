import LLMCostCore

/// Formats `llm-cost export` writes.
public enum CallExportFormat: String, Sendable, CaseIterable {
    /// JSON Lines in the import format: export then import gives back the same calls.
    case jsonl
    /// CSV with the same columns; tags as a JSON object in one column.
    case csv
}

/// Streams the ledger's calls out as text.
public enum CallExport {
    /// Calls `emit` with the export text, a line at a time, oldest call first.
    public static func write(
        from ledger: Ledger, format: CallExportFormat, since: Int64? = nil, until: Int64? = nil,
        _ emit: (String) throws -> Void
    ) throws {
        if format == .csv { try emit(CallRecordJSONL.fieldNames.joined(separator: ",") + "\n") }
        try ledger.forEachCall(since: since, until: until) { record in
            switch format {
            case .jsonl: try emit(CallRecordJSONL.encode(record) + "\n")
            case .csv: try emit(csvLine(record) + "\n")
            }
        }
    }

    /// One call as a CSV line (no newline), columns in `CallRecordJSONL.fieldNames` order.
    public static func csvLine(_ record: CallRecord) -> String {
        let usage = record.usage
        let fields: [String?] = [
            Timestamp.format(milliseconds: record.epochMilliseconds), record.provider, record.model,
            record.agent, record.session, record.tags.isEmpty ? nil : TagsJSON.encode(record.tags),
            record.requestID, record.status.rawValue, String(usage.inputTokens), String(usage.outputTokens),
            String(usage.cacheReadTokens), String(usage.cacheWrite5mTokens), String(usage.cacheWrite1hTokens),
            String(usage.reasoningTokens), String(usage.webSearchRequests), String(usage.webFetchRequests),
            record.cost?.decimalString, record.pricingEntry, record.usageSource.rawValue,
            record.estimatedUsage.map { String($0.inputTokens) }, record.estimatedUsage.map { String($0.outputTokens) },
            record.estimatedCost?.decimalString, record.latencyMilliseconds.map(String.init),
            record.timeToFirstTokenMilliseconds.map(String.init),
            record.heuristicEstimate.map { String($0.rawTokens) }, record.heuristicEstimate.map { String($0.factorPartsPerMillion) },
            record.pricingProvider,
        ]
        return fields.map { field in
            guard let field else { return "" }
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",")
    }
}
