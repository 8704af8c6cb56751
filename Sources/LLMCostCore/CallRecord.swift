import Foundation

/// How a call ended.
public enum CallStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case ok
    case error
    case cancelled
}

/// Where a call's token counts came from.
public enum UsageSource: String, Sendable, Hashable, Codable {
    /// The provider reported the usage.
    case reported
    /// The provider reported nothing (an interrupted stream, a server that never reports):
    /// the counts are the meter's estimate.
    case estimated
}

/// One metered call, as the ledger stores it.
public struct CallRecord: Sendable, Hashable {
    /// When the call started, UTC. The ledger keeps millisecond precision.
    public var timestamp: Date
    /// The provider as the call was made: the name it was configured under (`work`,
    /// `anthropic`), which reports attribute the call to.
    public var provider: String
    /// The provider whose prices apply, when it is not `provider`: a provider configured under a
    /// name of its own (`work`, of type `openai`) is priced as `openai`. `nil`: `provider` itself.
    public var pricingProvider: String? = nil
    public var model: String
    public var agent: String?
    public var session: String?
    /// Free-form `key=value` attribution (team, feature, customer, ...).
    public var tags: [String: String]
    /// The provider's request id. Records are idempotent on (provider, request id): the same
    /// call recorded twice counts once, and the first record wins.
    public var requestID: String?
    public var status: CallStatus
    public var usage: Usage
    public var usageSource: UsageSource
    /// The actual cost, or `nil` when the model is unpriced (never recorded as $0).
    public var cost: Money?
    /// The pricing entry the cost came from (`provider/model@effective_from`), if priced by the table.
    public var pricingEntry: String?
    /// What the meter estimated before the call, if it did.
    public var estimatedUsage: Usage?
    public var estimatedCost: Money?
    /// The raw heuristic count and correction behind `estimatedUsage`, when it was not exact.
    public var heuristicEstimate: HeuristicInputEstimate? = nil
    public var latencyMilliseconds: Int64?
    public var timeToFirstTokenMilliseconds: Int64?

    public init(
        timestamp: Date, provider: String, model: String, agent: String? = nil, session: String? = nil,
        tags: [String: String] = [:], requestID: String? = nil, status: CallStatus = .ok,
        usage: Usage = .zero, usageSource: UsageSource = .reported, cost: Money? = nil,
        pricingEntry: String? = nil, estimatedUsage: Usage? = nil, estimatedCost: Money? = nil,
        latencyMilliseconds: Int64? = nil, timeToFirstTokenMilliseconds: Int64? = nil
    ) {
        self.timestamp = timestamp
        self.provider = provider
        self.model = model
        self.agent = agent
        self.session = session
        self.tags = tags
        self.requestID = requestID
        self.status = status
        self.usage = usage
        self.usageSource = usageSource
        self.cost = cost
        self.pricingEntry = pricingEntry
        self.estimatedUsage = estimatedUsage
        self.estimatedCost = estimatedCost
        self.latencyMilliseconds = latencyMilliseconds
        self.timeToFirstTokenMilliseconds = timeToFirstTokenMilliseconds
    }

    public var modelID: ModelID { ModelID(provider: provider, model: model) }

    /// The provider a pricing table looks the model up under.
    public var pricedProvider: String { pricingProvider ?? provider }

    /// The largest cost one call may carry (a million dollars): anything above is a unit
    /// mistake, and sums of such values would overflow the ledger's integers.
    public static let maximumCost = Money(nanoUSD: 1_000_000 * Money.unitsPerDollar)

    /// The timestamp as whole milliseconds since 1970 UTC, the ledger's time unit.
    public var epochMilliseconds: Int64 {
        get { Int64((timestamp.timeIntervalSince1970 * 1000).rounded()) }
        set { timestamp = Date(timeIntervalSince1970: Double(newValue) / 1000) }
    }
}
