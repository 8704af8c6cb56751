import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LLMCostConfig
import LLMCostCore
import LLMCostStore
import Synchronization

/// Sends budget threshold alerts: each threshold of each budget once per period, across every
/// process sharing the ledger (the ledger's `alert_state` row decides who sends). A failed
/// delivery never fails the call: it is noted in the ledger and retried by a later call's check
/// (in any process) once `retryAfter` has passed, up to `settings.maxAttempts` deliveries.
///
/// A `Meter` runs it in the background (see `Meter.waitForPendingAlerts()`).
///
/// Channels: `log` writes the alert's text (`budget "NAME" reached 80% of its limit: spent $X of
/// $Y`); the webhook POSTs JSON with that text as Slack's `text` plus `budget`, `threshold`,
/// `spent_usd`, `limit_usd` and `period_start_ms`, each attempt bounded by
/// `webhook_timeout_ms`, retried `webhook_retries` times on an error status or a timeout; the
/// command runs under `/bin/sh` with `LLM_COST_*` variables.
public struct AlertDispatcher: Sendable {
    public var settings: AlertSettings
    /// How long a failed delivery waits before a later check may retry it.
    public var retryAfter: Duration
    /// Where log alerts go.
    let log: @Sendable (String) -> Void

    public init(
        settings: AlertSettings, retryAfter: Duration = .seconds(30),
        log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("llm-cost: " + $0 + "\n").utf8)) }
    ) {
        self.settings = settings
        self.retryAfter = retryAfter
        self.log = log
    }

    /// Retries earlier failed deliveries that are due, then fires every threshold the budgets'
    /// current spend has crossed and nobody has alerted yet. Retries come first so that a
    /// delivery failing now is retried by a later check, never by this one.
    ///
    /// `claimed` remembers thresholds already claimed (by anyone) in this process, so a check
    /// after every call does not take the ledger's write lock again for each of them.
    func evaluate(_ budgets: [BudgetDefinition], ledger: Ledger, claimed: inout Set<AlertKey>, now: Date = Date()) async {
        if let retries = try? ledger.claimAlertRetries(maxAttempts: settings.maxAttempts, retryAfter: retryAfter, now: now) {
            for alert in retries { await deliverAndNote(alert, ledger: ledger) }
        }
        for budget in budgets where !budget.alertThresholdsBasisPoints.isEmpty && budget.limit > .zero {
            guard let usage = try? ledger.usage(of: budget, now: now) else { continue }
            let shareBasisPoints = usage.spent.basisPoints(of: budget.limit) ?? 0
            for threshold in budget.alertThresholdsBasisPoints where threshold <= shareBasisPoints {
                let key = AlertKey(budget: budget.name, periodKey: usage.window.alertKey, thresholdBasisPoints: threshold)
                guard !claimed.contains(key) else { continue }
                guard let won = try? ledger.claimAlert(
                    budget: budget.name, periodKey: usage.window.alertKey, thresholdBasisPoints: threshold,
                    spent: usage.spent, limit: budget.limit, now: now)
                else { continue } // a ledger error: the next check tries again
                claimed.insert(key)
                guard won else { continue }
                let alert = AlertRecord(
                    budget: budget.name, periodKey: usage.window.alertKey, thresholdBasisPoints: threshold,
                    firedAt: Int64(now.timeIntervalSince1970 * 1000), spent: usage.spent, limit: budget.limit,
                    delivered: false, attempts: 1, lastError: nil)
                await deliverAndNote(alert, ledger: ledger)
            }
        }
    }

    private func deliverAndNote(_ alert: AlertRecord, ledger: Ledger) async {
        let error = await deliver(alert)
        if let error {
            let next = alert.attempts < settings.maxAttempts ? "will retry" : "gave up after \(alert.attempts) attempts"
            log("alert for budget \"\(alert.budget)\" not delivered (\(next)): \(error)")
        }
        try? ledger.noteAlertDelivery(alert, error: error)
    }

    /// The alert's one-line text: the log line and the webhook's `text`.
    public static func text(of alert: AlertRecord) -> String {
        let share = shareText(alert.thresholdBasisPoints * 100) + "%"
        return "budget \"\(alert.budget)\" reached \(share) of its limit: spent "
            + "\(alert.spent.formatted(places: 4)) of \(alert.limit.formatted(places: 4))"
    }

    /// Sends one alert on every configured channel; returns the failures, or `nil`.
    public func deliver(_ alert: AlertRecord) async -> String? {
        let text = Self.text(of: alert)
        var failures: [String] = []
        if settings.log { log(text) }
        if let command = settings.command, let failure = await runCommand(command, alert: alert, text: text) { failures.append(failure) }
        if let url = settings.webhookURL, let failure = await postWebhook(url, alert: alert, text: text) { failures.append(failure) }
        return failures.isEmpty ? nil : failures.joined(separator: "; ")
    }

    /// `8000` → `"0.8"`: the share as the config wrote it.
    static func shareText(_ basisPoints: Int64) -> String {
        let whole = basisPoints / 10_000
        var fraction = String(basisPoints % 10_000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }

    /// Runs the alert command with the details in its environment; one that outlives
    /// `commandTimeoutMilliseconds` is stopped (and the delivery retried later). Waits without
    /// holding a thread.
    private func runCommand(_ command: String, alert: AlertRecord, text: String) async -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["LLM_COST_BUDGET"] = alert.budget
        environment["LLM_COST_THRESHOLD"] = Self.shareText(alert.thresholdBasisPoints)
        environment["LLM_COST_SPENT_USD"] = alert.spent.decimalString
        environment["LLM_COST_LIMIT_USD"] = alert.limit.decimalString
        environment["LLM_COST_PERIOD_START_MS"] = String(alert.periodKey)
        environment["LLM_COST_ALERT_TEXT"] = text
        process.environment = environment
        let timeout = Duration.milliseconds(settings.commandTimeoutMilliseconds)
        let state = CommandState()
        let status: Int32? = await withCheckedContinuation { continuation in
            process.terminationHandler = { finished in
                state.flags.withLock { $0.finished = true }
                continuation.resume(returning: finished.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(returning: nil)
                return
            }
            let pid = process.processIdentifier
            Task.detached {
                try? await Task.sleep(for: timeout)
                let stop = state.flags.withLock { state -> Bool in
                    guard !state.finished else { return false }
                    state.timedOut = true
                    return true
                }
                // The whole process group: the shell's children (the command itself) hold the
                // pipe that tells Foundation the shell has ended.
                if stop, kill(-pid, SIGTERM) != 0 { kill(pid, SIGTERM) }
            }
        }
        guard let status else { return "command could not start: /bin/sh -c \(command)" }
        if state.flags.withLock({ $0.timedOut }) { return "command still running after \(settings.commandTimeoutMilliseconds) ms; stopped" }
        return status == 0 ? nil : "command exited with status \(status)"
    }

    private func postWebhook(_ url: URL, alert: AlertRecord, text: String) async -> String? {
        let body: [String: Any] = [
            "text": text, "budget": alert.budget, "threshold": Self.shareText(alert.thresholdBasisPoints),
            "spent_usd": alert.spent.decimalString, "limit_usd": alert.limit.decimalString, "period_start_ms": alert.periodKey,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else { return "cannot encode" }
        let timeout = Duration.milliseconds(settings.webhookTimeoutMilliseconds)
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = data
        // URLSession's own timeouts are not enough on Linux: the shared session waits its
        // default minute for a server that accepts and never answers, and timeouts are cut to
        // whole seconds (300 ms becomes 0: an instant failure). So a session of our own times out
        // a little after the configured bound, and a timer enforces the bound itself.
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = (Double(settings.webhookTimeoutMilliseconds) / 1000).rounded(.up) + 1
        configuration.timeoutIntervalForResource = configuration.timeoutIntervalForRequest
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        var lastFailure = "not attempted"
        for attempt in 0...settings.webhookRetries {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(200 * attempt)) }
            do {
                let status = try await Self.post(request, session: session, timeout: timeout)
                if (200..<300).contains(status) { return nil }
                lastFailure = "webhook answered HTTP \(status)"
            } catch let error as URLError where error.code == .timedOut {
                lastFailure = "webhook timed out after \(settings.webhookTimeoutMilliseconds) ms"
            } catch {
                lastFailure = "webhook failed: \(error.localizedDescription)"
            }
        }
        return lastFailure
    }

    /// Sends `request` and returns the response status, or throws `URLError(.timedOut)` once
    /// `timeout` has passed without a response.
    private static func post(_ request: URLRequest, session: URLSession, timeout: Duration) async throws -> Int {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { ((try await session.data(for: request)).1 as? HTTPURLResponse)?.statusCode ?? 0 }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard case .some(.some(let status)) = try await group.next() else { throw URLError(.timedOut) }
            return status
        }
    }
}

/// One threshold of one budget in one period: what fires at most once.
struct AlertKey: Hashable {
    var budget: String
    var periodKey: Int64
    var thresholdBasisPoints: Int64
}

/// Whether an alert command finished, or was stopped for running too long (shared between its
/// termination handler and its timer).
private final class CommandState: Sendable {
    let flags = Mutex((finished: false, timedOut: false))
}
