import ArgumentParser
import AsyncHTTPClient
import Foundation
import LLMCost
import LLMCostCommandLine
import LLMCostSimulator
import NIOCore

/// `llm-cost-bench proxy`: what `llm-cost proxy` adds to a call, measured against calling the
/// same upstream directly in the same run: latency per request, time to first byte of a
/// stream, and requests per second.
struct BenchProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Time calls through `llm-cost proxy` against the same calls made directly to the simulator.",
        discussion: """
            Starts the simulator in this process and `llm-cost proxy` as a child process (this \
            binary, its own ledger in a temporary folder), then alternates direct and proxied \
            calls: small non-streamed chat completions for latency, streamed Messages calls for \
            time to first byte, and concurrent calls for throughput. With --litellm URL, the same \
            calls go through a LiteLLM proxy already running in front of the simulator's OpenAI \
            endpoint (printed as SIMULATOR_OPENAI at the start; --simulator-port fixes it). The \
            simulator keeps connections alive, as the providers' servers do (--close-connections: \
            one call per connection, so every call also pays a connect). Use a release build.
            """)

    @Option(help: "Calls per latency series.") var calls: Int = 2000
    @Option(help: "Concurrent callers for the throughput run.") var concurrency: Int = 16
    @Option(help: "Seconds of the throughput run.") var seconds: Double = 3
    @Option(help: "The simulator's port (0: a free one).") var simulatorPort: UInt16 = 0
    @Option(help: "A LiteLLM proxy's base URL (http://127.0.0.1:4000) to measure beside ours.") var litellm: String?
    @Flag(help: "The simulator closes each connection after one call (default: it keeps them alive, as the providers do).")
    var closeConnections = false

    func run() async throws {
        guard calls > 0, concurrency > 0, seconds > 0 else { throw CommandFailure.usage("--calls, --concurrency and --seconds must be positive") }
        let simulator = ProviderSimulator(keepsConnectionsAlive: !closeConnections)
        _ = try simulator.start(port: simulatorPort)
        defer { simulator.stop() }
        let out = FileOutput.standardOutput
        out.write("SIMULATOR_OPENAI=\(simulator.baseURL.absoluteString)/v1\n")
        let folder = try makeBenchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let proxy = try await ChildProxy.start(simulator: simulator.baseURL.absoluteString, folder: folder)
        defer { proxy.stop() }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        defer { _ = client.shutdown() }

        let direct = simulator.baseURL.absoluteString
        var targets = [("direct", direct), ("llm-cost proxy", proxy.baseURL)]
        if let litellm { targets.append(("LiteLLM proxy", litellm)) }
        let chat = #"{"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"ping"}]}"#
        let stream = #"{"model":"claude-sonnet-4-5","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"ping"}]}"#

        // Warm-up: connections, caches, the proxy's first ledger writes.
        for (_, base) in targets { for _ in 0..<50 { _ = try await call(client, base + "/v1/chat/completions", chat) } }

        out.write("latency of a small non-streamed chat completion, \(calls) calls each, interleaved\n")
        var series = Array(repeating: [Double](), count: targets.count)
        for _ in 0..<calls {
            for (index, target) in targets.enumerated() {
                series[index].append(try await call(client, target.1 + "/v1/chat/completions", chat).total)
            }
        }
        report(series, targets: targets.map(\.0), out: out)

        if litellm == nil {
            out.write("time to first byte of a streamed Messages call, \(calls / 4) calls each\n")
            var firstBytes = Array(repeating: [Double](), count: 2)
            for _ in 0..<max(1, calls / 4) {
                for (index, target) in targets.prefix(2).enumerated() {
                    firstBytes[index].append(try await call(client, target.1 + "/v1/messages", stream).firstByte)
                }
            }
            report(firstBytes, targets: targets.prefix(2).map(\.0), out: out)
        }

        out.write("throughput, \(concurrency) concurrent callers for \(seconds) s\n")
        for (label, base) in targets {
            let rate = try await throughput(client, base + "/v1/chat/completions", chat)
            out.write("  \(label.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(format: "%8.0f", rate)) requests/s\n")
        }
        let recorded = try Ledger(path: proxy.ledger, options: Ledger.Options(readOnly: true)).report(ReportQuery()).total.calls
        out.write("calls recorded by the proxy: \(recorded)\n")
    }

    /// One call: total time and time to the first body byte, in microseconds.
    private func call(_ client: HTTPClient, _ url: String, _ body: String) async throws -> (total: Double, firstByte: Double) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "authorization", value: "Bearer sk-bench")
        request.body = .bytes(ByteBuffer(string: body))
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            var firstByte: Duration?
            for try await _ in response.body where firstByte == nil { firstByte = ContinuousClock.now - started }
            guard response.status == .ok else { throw CommandFailure.runtime("\(url) answered \(response.status)") }
            return (microseconds(ContinuousClock.now - started), microseconds(firstByte ?? .zero))
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure.runtime("\(url): \(error)")
        }
    }

    private func throughput(_ client: HTTPClient, _ url: String, _ body: String) async throws -> Double {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let completed = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var done = 0
                    while ContinuousClock.now < deadline {
                        _ = try await call(client, url, body)
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(completed) / ((ContinuousClock.now - started) / .seconds(1))
    }

    private func report(_ series: [[Double]], targets: [String], out: FileOutput) {
        let sorted = series.map { $0.sorted() }
        for (index, values) in sorted.enumerated() {
            var line = "  \(targets[index].padding(toLength: 16, withPad: " ", startingAt: 0))"
            line += " p50 \(latencyText(percentile(values, 0.5)))  p90 \(latencyText(percentile(values, 0.9)))  p99 \(latencyText(percentile(values, 0.99)))"
            if index > 0 {
                let base = sorted[0]
                line += "   added: p50 \(latencyText(percentile(values, 0.5) - percentile(base, 0.5)))"
                line += "  p99 \(latencyText(percentile(values, 0.99) - percentile(base, 0.99)))"
            }
            out.write(line + "\n")
        }
        if sorted.count > 2 {
            let ours = percentile(sorted[1], 0.5) - percentile(sorted[0], 0.5)
            let theirs = percentile(sorted[2], 0.5) - percentile(sorted[0], 0.5)
            out.write(String(format: "  added latency at p50, LiteLLM / ours: %.1fx\n", theirs / max(ours, 1)))
        }
    }
}

/// `llm-cost proxy --port 0` in front of the simulator, on a ledger of its own.
private struct ChildProxy {
    let process: Process
    let baseURL: String
    let ledger: String

    static func start(simulator: String, folder: URL) async throws -> ChildProxy {
        let ledger = folder.appendingPathComponent("proxy.sqlite").path
        let config = folder.appendingPathComponent("proxy.toml")
        try """
            [ledger]
            path = "\(ledger)"

            [providers.anthropic]
            type = "anthropic"
            base_url = "\(simulator)"

            [providers.openai]
            type = "openai"
            base_url = "\(simulator)/v1"
            """.write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = BenchCommand.llmCostBinary
        process.arguments = ["proxy", "--config", config.path, "--port", "0"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var printed = Data()
        while !printed.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { throw CommandFailure.runtime("llm-cost proxy exited before listening") }
            printed.append(chunk)
        }
        let line = String(decoding: printed.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        guard line.hasPrefix("listening on ") else { throw CommandFailure.runtime("llm-cost proxy said: \(line)") }
        return ChildProxy(process: process, baseURL: String(line.dropFirst("listening on ".count)), ledger: ledger)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
