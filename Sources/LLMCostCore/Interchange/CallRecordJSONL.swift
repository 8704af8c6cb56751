/// The JSON Lines interchange format of `llm-cost import` / `export`: one call per line.
///
/// Fields (all but `ts`, `provider` and `model` optional; `null` means absent):
/// `ts` (ISO 8601 date-time), `provider`, `model`, `agent`, `session`, `tags` (object of
/// strings), `request_id`, `status` (`ok`|`error`|`cancelled`, default `ok`), `input_tokens`,
/// `output_tokens`, `cache_read_tokens`, `cache_write_5m_tokens`, `cache_write_1h_tokens`,
/// `reasoning_tokens`, `web_search_requests`, `web_fetch_requests` (non-negative integers,
/// default 0), `cost_usd` (decimal string or number; absent means "price it from the table"),
/// `pricing_entry`, `usage_source` (`reported`|`estimated`), `estimated_input_tokens`,
/// `estimated_output_tokens`, `estimated_cost_usd`, `latency_ms`, `ttft_ms`,
/// `heuristic_input_tokens` and `heuristic_correction_ppm` (the heuristic's raw input count and
/// the per-model correction applied to it, in parts per million; both or neither),
/// `pricing_provider` (the provider whose prices apply, when the call was made through a
/// provider configured under a name of its own).
///
/// `input_tokens` is uncached input (Anthropic's shape, see `Usage`). An unknown field is an
/// error rather than silently dropped data.
public enum CallRecordJSONL {
    /// Why a line is not a valid call record.
    public struct Failure: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// The field names, in export order.
    public static let fieldNames = [
        "ts", "provider", "model", "agent", "session", "tags", "request_id", "status",
        "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_5m_tokens",
        "cache_write_1h_tokens", "reasoning_tokens", "web_search_requests", "web_fetch_requests",
        "cost_usd", "pricing_entry", "usage_source", "estimated_input_tokens",
        "estimated_output_tokens", "estimated_cost_usd", "latency_ms", "ttft_ms",
        "heuristic_input_tokens", "heuristic_correction_ppm", "pricing_provider",
    ]

    private enum Field: Int {
        case ts, provider, model, agent, session, tags, requestID, status
        case inputTokens, outputTokens, cacheReadTokens, cacheWrite5mTokens
        case cacheWrite1hTokens, reasoningTokens, webSearchRequests, webFetchRequests
        case costUSD, pricingEntry, usageSource, estimatedInputTokens
        case estimatedOutputTokens, estimatedCostUSD, latencyMs, ttftMs
        case heuristicInputTokens, heuristicCorrectionPPM, pricingProvider
    }

    private static let fieldBytes: [[UInt8]] = fieldNames.map { Array($0.utf8) }

    /// The instants `encode` can write (four-digit UTC years): a zone offset must not carry a
    /// time into a year the line could not be exported with.
    private static let writableMilliseconds: ClosedRange<Int64> =
        Int64(Timestamp.daysFromCivil(year: 0, month: 1, day: 1)) * 86_400_000
        ... Int64(Timestamp.daysFromCivil(year: 10_000, month: 1, day: 1)) * 86_400_000 - 1

    private static func field(named key: UnsafeBufferPointer<UInt8>) -> Field? {
        for (index, name) in fieldBytes.enumerated() where name.count == key.count {
            if name.withUnsafeBufferPointer({ memcmpEqual($0, key) }) { return Field(rawValue: index) }
        }
        return nil
    }

    /// Decodes one line. Blank lines are the caller's to skip.
    public static func decode(_ line: UnsafeBufferPointer<UInt8>) throws(Failure) -> CallRecord {
        var scanner = JSONScanner(line)
        var timestamp: Int64?
        var provider: String?
        var model: String?
        var record = CallRecord(timestamp: .init(timeIntervalSince1970: 0), provider: "", model: "")
        var estimated = Usage()
        var hasEstimate = false
        var heuristicRaw: Int64?
        var heuristicFactor: Int64?
        var seen: UInt32 = 0  // one bit per field
        do {
            try scanner.readObject { scanner, key, keyStart in
                guard let field = field(named: key) else {
                    throw scanner.failure(
                        "unknown field \"\(String(decoding: key, as: UTF8.self))\" (expected one of: \(fieldNames.joined(separator: ", ")))",
                        at: keyStart)
                }
                let bit: UInt32 = 1 << UInt32(field.rawValue)
                defer { seen |= bit }
                guard seen & bit == 0 else {
                    throw scanner.failure("field \"\(fieldNames[field.rawValue])\" appears twice", at: keyStart)
                }
                let name = fieldNames[field.rawValue]
                let valueStart = scanner.index
                let value = try scanner.readScalar()
                func bad(_ expected: String) -> JSONScanner.Failure {
                    scanner.failure("\(name): expected \(expected)", at: valueStart)
                }
                func text() throws -> String? {
                    switch value {
                    case .string(let string): return string
                    case .null: return nil
                    default: throw bad("a string")
                    }
                }
                func count() throws -> Int64 {
                    switch value {
                    case .null: return 0
                    case .number(let digits):
                        guard let integer = parseNonNegativeInteger(digits) else {
                            throw bad("a non-negative integer, got \(String(decoding: digits, as: UTF8.self))")
                        }
                        return integer
                    default: throw bad("a non-negative integer")
                    }
                }
                func boundedMoney() throws -> Money? {
                    guard let amount = try money() else { return nil }
                    guard amount.nanoUSD >= 0, amount <= CallRecord.maximumCost else {
                        throw bad("a cost between 0 and \(CallRecord.maximumCost.decimalString) USD, got \(amount.decimalString)")
                    }
                    return amount
                }
                func optionalCount() throws -> Int64? {
                    if case .null = value { return nil }
                    return try count()
                }
                func money() throws -> Money? {
                    let written: String
                    switch value {
                    case .null: return nil
                    case .string(let string): written = string
                    case .number(let digits): written = String(decoding: digits, as: UTF8.self)
                    default: throw bad("a decimal USD amount")
                    }
                    guard let amount = Money(decimalUSD: written) else {
                        throw bad("a decimal USD amount such as \"0.0123\", got \"\(written)\"")
                    }
                    return amount
                }
                switch field {
                case .ts:
                    guard case .string(let string) = value, let ms = Timestamp.parseMilliseconds(string) else {
                        throw bad("an ISO 8601 date-time with a zone, such as \"2026-11-20T14:03:00Z\"")
                    }
                    guard writableMilliseconds.contains(ms) else {
                        throw bad("a date-time from year 0000 to 9999 in UTC, got \"\(string)\"")
                    }
                    timestamp = ms
                case .provider: provider = try text()
                case .model: model = try text()
                case .agent: record.agent = try text()
                case .session: record.session = try text()
                case .requestID:
                    // An empty id identifies nothing: it must not merge every call into one.
                    record.requestID = try text().flatMap { $0.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } ? nil : $0 }
                case .pricingEntry: record.pricingEntry = try text()
                case .pricingProvider: record.pricingProvider = try text().flatMap { $0.isEmpty ? nil : $0 }
                case .tags:
                    switch value {
                    case .null: break
                    case .objectStart:
                        try scanner.readObject(openingConsumed: true) { scanner, tagKey, tagKeyStart in
                            guard case .string(let tagValue) = try scanner.readScalar() else {
                                throw scanner.failure("tags: values must be strings", at: tagKeyStart)
                            }
                            record.tags[String(decoding: tagKey, as: UTF8.self)] = tagValue
                        }
                    default: throw bad("an object of string values")
                    }
                case .status:
                    guard let written = try text() else { break }
                    guard let status = CallStatus(rawValue: written) else {
                        throw bad("ok, error or cancelled, got \"\(written)\"")
                    }
                    record.status = status
                case .usageSource:
                    guard let written = try text() else { break }
                    guard let source = UsageSource(rawValue: written) else {
                        throw bad("reported or estimated, got \"\(written)\"")
                    }
                    record.usageSource = source
                case .inputTokens: record.usage.inputTokens = try count()
                case .outputTokens: record.usage.outputTokens = try count()
                case .cacheReadTokens: record.usage.cacheReadTokens = try count()
                case .cacheWrite5mTokens: record.usage.cacheWrite5mTokens = try count()
                case .cacheWrite1hTokens: record.usage.cacheWrite1hTokens = try count()
                case .reasoningTokens: record.usage.reasoningTokens = try count()
                case .webSearchRequests: record.usage.webSearchRequests = try count()
                case .webFetchRequests: record.usage.webFetchRequests = try count()
                case .costUSD: record.cost = try boundedMoney()
                case .estimatedCostUSD: record.estimatedCost = try boundedMoney()
                case .estimatedInputTokens:
                    if let value = try optionalCount() { estimated.inputTokens = value; hasEstimate = true }
                case .estimatedOutputTokens:
                    if let value = try optionalCount() { estimated.outputTokens = value; hasEstimate = true }
                case .latencyMs: record.latencyMilliseconds = try optionalCount()
                case .ttftMs: record.timeToFirstTokenMilliseconds = try optionalCount()
                case .heuristicInputTokens: heuristicRaw = try optionalCount()
                case .heuristicCorrectionPPM: heuristicFactor = try optionalCount()
                }
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.failure("unexpected text after the object") }
        } catch let failure as JSONScanner.Failure {
            throw Failure(reason: failure.description)
        } catch {
            throw Failure(reason: "\(error)")
        }
        guard let timestamp else { throw Failure(reason: "missing field \"ts\"") }
        guard let provider, !provider.isEmpty else { throw Failure(reason: "missing field \"provider\"") }
        guard let model, !model.isEmpty else { throw Failure(reason: "missing field \"model\"") }
        if let problem = record.usage.inconsistency { throw Failure(reason: problem) }
        record.epochMilliseconds = timestamp
        record.provider = provider
        record.model = model
        if hasEstimate { record.estimatedUsage = estimated }
        switch (heuristicRaw, heuristicFactor) {
        case (nil, nil): break
        case (let raw?, let factor?) where factor > 0:
            record.heuristicEstimate = HeuristicInputEstimate(rawTokens: raw, factorPartsPerMillion: factor)
        case (_?, _?): throw Failure(reason: "heuristic_correction_ppm: expected a positive integer")
        default: throw Failure(reason: "heuristic_input_tokens and heuristic_correction_ppm come together")
        }
        return record
    }

    /// Decodes one line given as a string.
    public static func decode(_ line: String) throws(Failure) -> CallRecord {
        var bytes = Array(line.utf8)
        return try bytes.withUnsafeMutableBufferPointer { buffer throws(Failure) in
            try decode(UnsafeBufferPointer(buffer))
        }
    }

    /// Encodes a record as one line (no newline). Absent optional fields are left out; the
    /// output decodes back to an equal record.
    public static func encode(_ record: CallRecord) -> String {
        var json = JSONWriter()
        json.raw("{\"ts\":")
        json.string(Timestamp.format(milliseconds: record.epochMilliseconds))
        json.raw(",\"provider\":")
        json.string(record.provider)
        json.raw(",\"model\":")
        json.string(record.model)
        if let agent = record.agent { json.raw(",\"agent\":"); json.string(agent) }
        if let session = record.session { json.raw(",\"session\":"); json.string(session) }
        if !record.tags.isEmpty {
            json.raw(",\"tags\":{")
            for (offset, key) in record.tags.keys.sorted().enumerated() {
                if offset > 0 { json.raw(",") }
                json.string(key)
                json.raw(":")
                json.string(record.tags[key] ?? "")
            }
            json.raw("}")
        }
        if let requestID = record.requestID { json.raw(",\"request_id\":"); json.string(requestID) }
        json.raw(",\"status\":")
        json.string(record.status.rawValue)
        let counts: [(StaticString, Int64)] = [
            (",\"input_tokens\":", record.usage.inputTokens),
            (",\"output_tokens\":", record.usage.outputTokens),
            (",\"cache_read_tokens\":", record.usage.cacheReadTokens),
            (",\"cache_write_5m_tokens\":", record.usage.cacheWrite5mTokens),
            (",\"cache_write_1h_tokens\":", record.usage.cacheWrite1hTokens),
            (",\"reasoning_tokens\":", record.usage.reasoningTokens),
            (",\"web_search_requests\":", record.usage.webSearchRequests),
            (",\"web_fetch_requests\":", record.usage.webFetchRequests),
        ]
        for (key, value) in counts {
            json.raw(key)
            json.integer(value)
        }
        if let cost = record.cost { json.raw(",\"cost_usd\":"); json.string(cost.decimalString) }
        if let entry = record.pricingEntry { json.raw(",\"pricing_entry\":"); json.string(entry) }
        json.raw(",\"usage_source\":")
        json.string(record.usageSource.rawValue)
        if let estimate = record.estimatedUsage {
            json.raw(",\"estimated_input_tokens\":"); json.integer(estimate.inputTokens)
            json.raw(",\"estimated_output_tokens\":"); json.integer(estimate.outputTokens)
        }
        if let cost = record.estimatedCost { json.raw(",\"estimated_cost_usd\":"); json.string(cost.decimalString) }
        if let latency = record.latencyMilliseconds { json.raw(",\"latency_ms\":"); json.integer(latency) }
        if let ttft = record.timeToFirstTokenMilliseconds { json.raw(",\"ttft_ms\":"); json.integer(ttft) }
        if let heuristic = record.heuristicEstimate {
            json.raw(",\"heuristic_input_tokens\":"); json.integer(heuristic.rawTokens)
            json.raw(",\"heuristic_correction_ppm\":"); json.integer(heuristic.factorPartsPerMillion)
        }
        if let pricingProvider = record.pricingProvider { json.raw(",\"pricing_provider\":"); json.string(pricingProvider) }
        json.raw("}")
        return json.text
    }
}

private func memcmpEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    for index in 0..<a.count where a[index] != b[index] { return false }
    return true
}

/// A JSON integer with no sign, fraction or exponent, within Int64.
func parseNonNegativeInteger(_ digits: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard !digits.isEmpty else { return nil }
    var value: Int64 = 0
    for byte in digits {
        guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
        let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
        guard !overflow1, !overflow2 else { return nil }
        value = sum
    }
    return value
}
