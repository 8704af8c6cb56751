import Foundation
import LLMCost
import Prometheus
import Synchronization

/// What `GET /metrics` exposes (Prometheus text format, swift-prometheus): calls, tokens by
/// type, cost, latency and time-to-first-token histograms by provider, model and agent, and
/// each budget's remaining room, read from the ledger at scrape time.
///
/// Label values come from clients (model names, agent headers): each label keeps at most
/// `maximumValuesPerLabel` distinct values, later ones are reported as `other`, so a client
/// cannot grow the scrape without bound.
final class ProxyMetrics: Sendable {
    /// The OpenTelemetry GenAI semantic-convention names of the same measurements, for an OTLP
    /// exporter later: Prometheus name → OpenTelemetry name.
    static let openTelemetryNames: [(prometheus: String, openTelemetry: String)] = [
        ("llm_cost_proxy_tokens_total", "gen_ai.client.token.usage"),
        ("llm_cost_proxy_request_duration_seconds", "gen_ai.client.operation.duration"),
        ("llm_cost_proxy_time_to_first_token_seconds", "gen_ai.server.time_to_first_token"),
    ]

    static let maximumValuesPerLabel = 100

    // Descriptors are not Sendable: made when used (cheap next to a registry lookup).
    private static func named(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "llm_cost", subsystem: "proxy", metricName: name, unitName: unit, helpText: help)
    }
    private static var requests: MetricNameDescriptor { named("requests", "total", "Calls metered by the proxy, by how they ended (refused: by a budget)") }
    private static var tokens: MetricNameDescriptor { named("tokens", "total", "Tokens of metered calls by type (input excludes cache reads and writes)") }
    private static var cost: MetricNameDescriptor { named("cost_usd", "total", "Cost of metered calls, USD") }
    private static var duration: MetricNameDescriptor { named("request_duration", "seconds", "From admission to the end of the response") }
    private static var firstToken: MetricNameDescriptor { named("time_to_first_token", "seconds", "From admission to the first content of a stream") }
    private static var remaining: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "llm_cost", subsystem: "budget", metricName: "remaining", unitName: "usd",
            helpText: "Limit minus recorded spend and live reservations in the budget's current period, USD")
    }

    private let registry = PrometheusCollectorRegistry()
    private let seenValues = Mutex<[String: Set<String>]>([:])
    private static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
    ]

    /// `value` as a label value, or `other` once `label` has its quota of distinct values.
    private func bounded(_ label: String, _ value: String) -> String {
        seenValues.withLock { seen in
            if seen[label, default: []].contains(value) { return value }
            guard seen[label, default: []].count < Self.maximumValuesPerLabel else { return "other" }
            seen[label, default: []].insert(value)
            return value
        }
    }

    /// A call the proxy metered, as recorded.
    func record(_ call: CallRecord) {
        let provider = bounded("provider", call.provider)
        let model = bounded("model", call.model)
        let agent = bounded("agent", call.agent ?? "")
        let base = [("provider", provider), ("model", model), ("agent", agent)]
        registry.makeCounter(descriptor: Self.requests, labels: base + [("status", call.status.rawValue)]).increment()
        let usage = call.usage
        for (type, count) in [
            ("input", usage.inputTokens), ("output", usage.outputTokens), ("cache_read", usage.cacheReadTokens),
            ("cache_write", usage.cacheWrite5mTokens + usage.cacheWrite1hTokens),
        ] where count > 0 {
            registry.makeCounter(descriptor: Self.tokens, labels: base + [("type", type)]).increment(by: count)
        }
        if let cost = call.cost {
            registry.makeCounter(descriptor: Self.cost, labels: base).increment(by: Double(cost.nanoUSD) / 1e9)
        }
        let timing = [("provider", provider), ("model", model)]
        if let latency = call.latencyMilliseconds {
            registry.makeDurationHistogram(descriptor: Self.duration, labels: timing, buckets: Self.durationBuckets)
                .record(.milliseconds(latency))
        }
        if let firstToken = call.timeToFirstTokenMilliseconds {
            registry.makeDurationHistogram(descriptor: Self.firstToken, labels: timing, buckets: Self.durationBuckets)
                .record(.milliseconds(firstToken))
        }
    }

    /// A call a budget refused.
    func recordRefusal(provider: String, model: String, agent: String?) {
        let labels = [
            ("provider", bounded("provider", provider)), ("model", bounded("model", model)), ("agent", bounded("agent", agent ?? "")),
            ("status", "refused"),
        ]
        registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
    }

    /// The scrape: budgets' remaining room read now, then every series.
    func exposition(meter: Meter) -> String {
        for budget in meter.budgets {
            guard let usage = try? meter.ledger.usage(of: budget) else { continue }
            registry.makeGauge(descriptor: Self.remaining, labels: [("budget", budget.name), ("action", budget.action.rawValue)])
                .set(Double(usage.remaining.nanoUSD) / 1e9)
        }
        return registry.emitToString()
    }
}
