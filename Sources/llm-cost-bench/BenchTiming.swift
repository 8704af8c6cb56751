import Foundation

/// Times `count` calls of `body` after a few untimed ones (caches, the page cache), returning
/// each call's duration in microseconds, sorted (for percentiles).
func timeCalls(_ count: Int, warmUp: Int = 50, _ body: () async throws -> Void) async throws -> [Double] {
    let clock = ContinuousClock()
    for _ in 0..<min(warmUp, count) { try await body() }
    var samples: [Double] = []
    samples.reserveCapacity(count)
    for _ in 0..<count {
        let start = clock.now
        try await body()
        let elapsed = (clock.now - start).components
        samples.append(Double(elapsed.seconds) * 1e6 + Double(elapsed.attoseconds) / 1e12)
    }
    return samples.sorted()
}

/// A fresh temporary folder for a bench's files (its ledger, its inputs); the caller removes it
/// with `defer { try? FileManager.default.removeItem(at: folder) }`.
func makeBenchFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("llm-cost-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// The sample at `share` (0...1) of `sorted` samples, by nearest rank; NaN when there are none.
func percentile(_ sorted: [Double], _ share: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((Double(sorted.count) * share).rounded(.up)) - 1
    return sorted[min(sorted.count - 1, max(0, rank))]
}

/// The median of samples in any order; NaN when there are none.
func median<C: Collection>(_ samples: C) -> Double where C.Element == Double {
    percentile(samples.sorted(), 0.5)
}

/// A duration in microseconds, for the timing lines: `  812 µs`, ` 1.43 ms`.
func latencyText(_ microseconds: Double) -> String {
    microseconds.magnitude >= 1000 ? String(format: "%7.2f ms", microseconds / 1000) : String(format: "%7.1f µs", microseconds)
}

func microseconds(_ duration: Duration) -> Double { duration / .microseconds(1) }
