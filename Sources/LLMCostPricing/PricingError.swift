import LLMCostCore

/// Where something was written in a pricing file: `anthropic.toml:42`.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file name (or path, for user files) as shown to people.
    public var file: String
    /// 1-based line, or 0 when the line is not known.
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// One problem found in a pricing file, with where it is.
public struct PricingIssue: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// Why pricing failed: a broken table, a model the table does not know, or a call the table
/// cannot price (no entry in force at its time, a service tier the model lacks, bad counts).
public struct PricingError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case invalidTable
        case unreadableFile
        case unknownModel
        case noEntryInForce
        case serviceTierUnavailable
        case invalidUsage
        case overflow
        case invalidImport
    }

    private let code: Code
    /// What went wrong, in words meant for the person running the command.
    public let message: String
    /// Each problem of an invalid table, with file and line.
    public let issues: [PricingIssue]

    private init(_ code: Code, _ message: String, issues: [PricingIssue] = []) {
        self.code = code
        self.message = message
        self.issues = issues
    }

    public var description: String {
        issues.isEmpty ? message : ([message] + issues.map(\.description)).joined(separator: "\n")
    }

    /// True when the model is not in the table at all (the call is unpriced, not free).
    public var isUnknownModel: Bool { code == .unknownModel }

    static func invalidTable(_ issues: [PricingIssue]) -> PricingError {
        PricingError(.invalidTable, "the pricing table has \(issues.count) problem(s):", issues: issues)
    }

    static func unreadableFile(_ path: String, _ reason: String) -> PricingError {
        PricingError(.unreadableFile, "cannot read pricing file \(path): \(reason)")
    }

    static func unknownModel(provider: String?, model: String) -> PricingError {
        let name = provider.map { "\($0)/\(model)" } ?? model
        return PricingError(
            .unknownModel,
            "unknown model \(name): it is not in the pricing table, so its calls are unpriced "
                + "(try `llm-cost pricing list`, or add it in a user pricing file)")
    }

    static func noEntryInForce(model: String, at time: String, firstFrom: String?) -> PricingError {
        let hint = firstFrom.map { "; its first entry starts \($0)" } ?? ""
        return PricingError(.noEntryInForce, "\(model) has no price entry in force at \(time)\(hint)")
    }

    static func serviceTierUnavailable(_ tier: ServiceTier, entry: String, available: [ServiceTier]) -> PricingError {
        PricingError(
            .serviceTierUnavailable,
            "\(entry) has no \(tier.rawValue) service tier (available: \(available.map(\.rawValue).joined(separator: ", ")))")
    }

    static func invalidUsage(_ reason: String) -> PricingError {
        PricingError(.invalidUsage, "usage cannot be priced: \(reason)")
    }

    static func overflow(entry: String) -> PricingError {
        PricingError(.overflow, "the cost under \(entry) does not fit the ledger's unit (over 9.2 billion USD)")
    }

    static func invalidImport(_ path: String, _ reason: String) -> PricingError {
        PricingError(.invalidImport, "cannot import \(path): \(reason)")
    }
}
