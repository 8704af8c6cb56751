import LLMCostAgentLogs
import LLMCostCore

/// What tests check a decoder's answers against.
typealias Outcome = AgentLogLine

extension AgentLogLine {
    /// The billed requests, one or several.
    var records: [CallRecord] {
        switch self {
        case .request(let record): [record]
        case .requests(let records): records
        case .noUsage, .skipped: []
        }
    }

    var skipReason: String? {
        if case .skipped(let reason) = self { return reason }
        return nil
    }
}

extension AgentLogLineDecoder {
    /// Decodes one line given as text.
    mutating func decode(_ line: String) -> Outcome {
        decode(bytes: Array(line.utf8))
    }

    mutating func decode(bytes: [UInt8]) -> Outcome {
        bytes.withUnsafeBufferPointer { decode(line: $0) }
    }

    /// Decodes lines in order with a fresh decoder for `path`.
    static func outcomes(path: String, lines: [String], resumingFrom state: [UInt8]? = nil) -> [Outcome] {
        var decoder = Self(path: path, resumingFrom: state)
        return lines.map { decoder.decode($0) }
    }
}

extension [Outcome] {
    var records: [CallRecord] { flatMap(\.records) }
}

/// Requests as the ledger keeps them: one per (provider, request id), the largest copy.
func ledgerView(_ records: [CallRecord]) -> [String: CallRecord] {
    var kept: [String: CallRecord] = [:]
    for record in records {
        let key = record.provider + " " + (record.requestID ?? "")
        if let existing = kept[key], !record.usage.isLarger(than: existing.usage) { continue }
        kept[key] = record
    }
    return kept
}

func sum(_ records: some Sequence<CallRecord>) -> Usage {
    records.reduce(Usage.zero) { $0 + $1.usage }
}

/// Decoding `lines` in one go gives what decoding the first `k`, saving the state and
/// resuming in a new decoder gives, for every `k`; returns the first `k` where it does not.
func firstResumeMismatch<Decoder: AgentLogLineDecoder>(_: Decoder.Type, path: String, lines: [String]) -> Int? {
    let whole = Decoder.outcomes(path: path, lines: lines)
    for k in 0...lines.count {
        var first = Decoder(path: path, resumingFrom: nil)
        var outcomes = lines[..<k].map { first.decode($0) }
        var second = Decoder(path: path, resumingFrom: first.state)
        outcomes += lines[k...].map { second.decode($0) }
        if outcomes != whole { return k }
    }
    return nil
}
