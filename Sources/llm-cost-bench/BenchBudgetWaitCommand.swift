import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine
import Synchronization

/// `llm-cost-bench budget-wait`: how soon a call waiting for budget room goes out once the call
/// holding the room settles: in the same process (the meter's own signal), and in "another
/// process" (a second connection to the file, woken by inotify on the WAL), beside the
/// re-check interval a waiter falls back to.
struct BenchBudgetWaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget-wait",
        abstract: "Time the wake-up of a call waiting for a block budget's room, from the settlement that frees it.",
        discussion: """
            Each round, one call holds a reservation that leaves no room for a second; the second \
            call waits; the first settles. The figure is the time from the first call's settlement \
            (committed) to the moment the second call reaches its provider. Use a release build.
            """)

    @Option(help: "Rounds per mode.") var iterations: Int = 200

    func run() async throws {
        guard iterations > 0 else { throw CommandFailure.usage("--iterations must be positive") }
        let folder = try makeBenchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.sqlite").path
        let holder = try Ledger(path: path)
        let otherProcess = try Ledger(path: path)
        let pricing = try Configuration.load().pricing()
        let out = FileOutput.standardOutput
        out.write("wake-up of a waiting call after the settlement that makes room, \(iterations) rounds per mode\n")
        for (label, waiterLedger) in [("same process (meter signal)", holder), ("another connection (inotify on the WAL)", otherProcess)] {
            var samples: [Double] = []
            for round in 0..<iterations {
                samples.append(try await oneRound(round, holder: holder, waiter: waiterLedger, pricing: pricing))
            }
            samples.sort()
            out.write("  \(label.padding(toLength: 40, withPad: " ", startingAt: 0)) p50 \(latencyText(percentile(samples, 0.5)))  "
                + "p99 \(latencyText(percentile(samples, 0.99)))  max \(latencyText(samples.last ?? 0))\n")
        }
        let fallback = Ledger.changeRecheckInterval.components
        out.write("  a waiter that only re-checked on its timer would wait up to \(fallback.seconds * 1000 + fallback.attoseconds / 1_000_000_000_000_000) ms\n")
    }

    /// One round; returns microseconds from the end of the holder's reply (its settlement, a
    /// few tens of µs, included) to the waiter's request reaching its provider.
    private func oneRound(_ round: Int, holder: Ledger, waiter: Ledger, pricing: (any CallPricing)?) async throws -> Double {
        // A budget (and agent) of its own per round, so spend never accumulates; room for one worst case.
        let agent = "bench-\(UUID().uuidString)"
        let attribution = MeteringContext(agent: agent)
        let budget = BudgetDefinition(name: agent, scope: .agent(agent), period: .total, limit: Money(decimalUSD: "0.1")!, action: .block)
        let request = ChatRequest.user("Summarize the quarterly report in three bullet points, please.", maxTokens: 4000)
        let held = HeldStubProvider()
        let first = MeteredProvider(held, meter: Meter(ledger: holder, pricing: pricing, budgets: [budget]), attribution: attribution)
        // A refused first call never starts: end the wait for it either way.
        let firstCall = Task {
            defer { held.markStarted() }
            return try await first.complete(request)
        }
        await held.waitUntilStarted()
        let arrival = ArrivalClock()
        let second = MeteredProvider(
            TimedStubProvider(base: InstantStubProvider(inputTokens: 18), arrival: arrival),
            meter: Meter(ledger: waiter, pricing: pricing, budgets: [budget]), attribution: attribution)
        let secondCall = Task { try await second.complete(request) }
        try await Task.sleep(for: .milliseconds(2)) // the second call is waiting by now
        held.release()
        _ = try await firstCall.value
        _ = try await secondCall.value
        guard let settled = held.finishedAt else { throw CommandFailure.runtime("the holding call never finished") }
        guard let reached = arrival.instant else { throw CommandFailure.runtime("the waiting call never reached its provider") }
        let elapsed = (reached - settled).components
        return max(0, Double(elapsed.seconds) * 1e6 + Double(elapsed.attoseconds) / 1e12)
    }
}

/// When a provider first received a request.
private final class ArrivalClock: Sendable {
    private let first = Mutex<ContinuousClock.Instant?>(nil)
    func note() { first.withLock { if $0 == nil { $0 = .now } } }
    var instant: ContinuousClock.Instant? { first.withLock { $0 } }
}

/// Notes when its request arrives, then answers like `base`.
private struct TimedStubProvider: LLMProvider {
    var base: InstantStubProvider
    var arrival: ArrivalClock
    var name: String { base.name }
    var defaultModel: String { base.defaultModel }
    func capabilities(for model: String) -> ProviderCapabilities { base.capabilities(for: model) }
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        arrival.note()
        return base.stream(request)
    }
}

/// Starts a reply, then holds it until `release()`: a call in flight for as long as the bench wants.
private final class HeldStubProvider: LLMProvider, Sendable {
    private struct Gate {
        var started = false
        var released = false
        var startWaiters: [CheckedContinuation<Void, Never>] = []
        var releaseWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let gate = Mutex(Gate())
    private let finished = Mutex<ContinuousClock.Instant?>(nil)
    var name: String { "anthropic" }

    /// When the held reply ended (the meter settles right after).
    var finishedAt: ContinuousClock.Instant? { finished.withLock { $0 } }
    var defaultModel: String { "claude-sonnet-4-5" }
    func capabilities(for model: String) -> ProviderCapabilities { ProviderCapabilities() }

    func waitUntilStarted() async {
        await withCheckedContinuation { continuation in
            let now = gate.withLock { gate -> Bool in
                if gate.started { return true }
                gate.startWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// The call is in flight (its reservation made), or will never be.
    func markStarted() {
        let starters = gate.withLock { gate -> [CheckedContinuation<Void, Never>] in
            gate.started = true
            defer { gate.startWaiters.removeAll() }
            return gate.startWaiters
        }
        for starter in starters { starter.resume() }
    }

    func release() {
        let waiters = gate.withLock { gate -> [CheckedContinuation<Void, Never>] in
            gate.released = true
            defer { gate.releaseWaiters.removeAll() }
            return gate.releaseWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        AsyncThrowingStream { continuation in
            Task {
                continuation.yield(.started(StreamStart(requestID: "req_\(UUID().uuidString)")))
                self.markStarted()
                await withCheckedContinuation { release in
                    let now = self.gate.withLock { gate -> Bool in
                        if gate.released { return true }
                        gate.releaseWaiters.append(release)
                        return false
                    }
                    if now { release.resume() }
                }
                self.finished.withLock { $0 = .now }
                continuation.yield(.finished(
                    stopReason: StopReason(kind: .endTurn, raw: "end_turn"), usage: Usage(inputTokens: 18, outputTokens: 14)))
                continuation.finish()
            }
        }
    }
}
