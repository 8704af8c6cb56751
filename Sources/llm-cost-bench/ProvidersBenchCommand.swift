import ArgumentParser
import Foundation
import LLMCost
import LLMCostCommandLine
import LLMCostSimulator

/// `llm-cost-bench providers`: how fast a streamed reply is read, next to the official Anthropic
/// Python SDK (the reference) in the same run: first the decoding alone (SSE + JSON + events),
/// then end to end over loopback HTTP against the simulator.
struct ProvidersBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "Stream decoding and end-to-end streaming speed, next to the Anthropic Python SDK.")

    @Option(help: "Text deltas in the benchmark stream.") var events = 20_000
    @Option(help: "Runs per measurement; the best is reported.") var runs = 5
    @Option(help: "A Python with the `anthropic` package, for the reference (skipped if it cannot import it).")
    var python = "python3"

    func run() async throws {
        let completion = SimulatedCompletion(
            model: "claude-bench", textChunks: (0..<events).map { "word\($0 % 977) and more " },
            usage: Usage(inputTokens: 100, outputTokens: Int64(events)))
        let streamText = ProviderSimulator.eventStreamText(for: completion, format: .anthropic)
        let stream = Data(streamText.utf8)
        let megabytes = Double(stream.count) / 1_000_000
        FileOutput.standardOutput.line("stream: Anthropic Messages, \(events) text deltas, \(String(format: "%.2f", megabytes)) MB, best of \(runs)")

        let swiftFraming = try bestOf(runs) { sseFramingOnly(stream) }
        let swiftDecode = try bestOf(runs) { try decodeInProcess(stream) }
        let folder = try makeBenchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let streamFile = folder.appendingPathComponent("stream.txt")
        try stream.write(to: streamFile)
        report("SSE framing only", swift: swiftFraming, reference: runReference(["sse", streamFile.path, String(runs)]), megabytes: megabytes)
        let pythonDecode = runReference(["decode", streamFile.path, String(runs)])
        report("decode (SSE + JSON + events)", swift: swiftDecode, reference: pythonDecode, megabytes: megabytes)

        let simulator = ProviderSimulator()
        try simulator.start()
        defer { simulator.stop() }
        let provider = AnthropicProvider(model: "claude-bench", baseURL: simulator.baseURL, credentials: .apiKey("bench"))
        let swiftHTTP = try await bestOfAsync(runs) {
            // Pre-rendered, so the server's own JSON writing is not timed.
            simulator.enqueue(SimulatedReply(.rawEventStream(streamText)))
            var text = 0
            for try await event in provider.stream(.user("bench")) { if case .textDelta(let delta) = event { text += delta.utf8.count } }
            return text
        }
        for _ in 0..<runs { simulator.enqueue(SimulatedReply(.rawEventStream(streamText))) }
        let pythonHTTP = runReference(["http", simulator.baseURL.absoluteString, String(runs)])
        report("end to end, loopback HTTP", swift: swiftHTTP, reference: pythonHTTP, megabytes: megabytes)
    }

    private func sseFramingOnly(_ stream: Data) -> Int {
        var decoder = SSEDecoder()
        var count = 0
        var offset = 0
        let bytes = [UInt8](stream)
        while offset < bytes.count {
            let end = min(bytes.count, offset + 4096)
            count += decoder.decode(bytes[offset..<end]).count
            offset = end
        }
        return count + decoder.finish().count
    }

    private func decodeInProcess(_ stream: Data) throws -> Int {
        var decoder = StreamDecoder(protocol: .anthropicMessages, provider: "bench")
        var text = 0
        var offset = 0
        let bytes = [UInt8](stream)
        while offset < bytes.count {
            let end = min(bytes.count, offset + 4096)  // network-sized pieces
            for event in try decoder.decode(bytes[offset..<end]) { if case .textDelta(let delta) = event { text += delta.utf8.count } }
            offset = end
        }
        for event in try decoder.finish() { if case .textDelta(let delta) = event { text += delta.utf8.count } }
        return text
    }

    private func bestOf(_ runs: Int, _ body: () throws -> Int) throws -> Double {
        var best = Double.infinity
        for _ in 0..<max(1, runs) {
            let start = ContinuousClock.now
            _ = try body()
            best = min(best, (ContinuousClock.now - start).seconds)
        }
        return best
    }

    private func bestOfAsync(_ runs: Int, _ body: () async throws -> Int) async throws -> Double {
        var best = Double.infinity
        for _ in 0..<max(1, runs) {
            let start = ContinuousClock.now
            _ = try await body()
            best = min(best, (ContinuousClock.now - start).seconds)
        }
        return best
    }

    private func report(_ label: String, swift: Double, reference: Double?, megabytes: Double) {
        var line = "\(label): swift \(String(format: "%.4f", swift)) s (\(String(format: "%.0f", megabytes / swift)) MB/s)"
        if let reference {
            line += ", python SDK \(String(format: "%.4f", reference)) s; swift is \(String(format: "%.1f", reference / swift))x faster"
        } else {
            line += ", reference unavailable (needs `\(python)` with `pip install anthropic`)"
        }
        FileOutput.standardOutput.line(line)
    }

    /// Runs the Python reference; returns its best time in seconds, or `nil` if it cannot run.
    private func runReference(_ arguments: [String]) -> Double? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", Self.referenceScript] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The reference: the Anthropic SDK's own SSE decoder and JSON parsing, and its streaming
    /// client, doing the same work as the Swift side (count the text of every text delta).
    static let referenceScript = #"""
        import json, sys, time
        from anthropic._streaming import SSEDecoder
        mode, target, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
        best = float("inf")
        if mode == "sse":
            data = open(target, "rb").read()
            pieces = [data[i:i + 4096] for i in range(0, len(data), 4096)]
            for _ in range(runs):
                start = time.perf_counter()
                count = sum(1 for _ in SSEDecoder().iter_bytes(iter(pieces)))
                best = min(best, time.perf_counter() - start)
        elif mode == "decode":
            data = open(target, "rb").read()
            pieces = [data[i:i + 4096] for i in range(0, len(data), 4096)]
            for _ in range(runs):
                start = time.perf_counter()
                text = 0
                for sse in SSEDecoder().iter_bytes(iter(pieces)):
                    event = json.loads(sse.data)
                    if event.get("type") == "content_block_delta" and event["delta"].get("type") == "text_delta":
                        text += len(event["delta"]["text"].encode())
                best = min(best, time.perf_counter() - start)
        else:
            import anthropic
            client = anthropic.Anthropic(api_key="bench", base_url=target, max_retries=0)
            for _ in range(runs):
                start = time.perf_counter()
                text = 0
                with client.messages.stream(model="claude-bench", max_tokens=10, messages=[{"role": "user", "content": "bench"}]) as stream:
                    for delta in stream.text_stream:
                        text += len(delta.encode())
                best = min(best, time.perf_counter() - start)
        FileOutput.standardOutput.line(best)
        """#
}

