import LLMCostProviders

/// One parser of outside input under fuzzing: a name, a few seed inputs of our own making, and
/// a body that feeds bytes to the parser and checks what it promises beyond "no crash".
///
/// The body is shared by the two harnesses: the seeded pass in `swift test` (`Tests/FuzzTests`)
/// and the coverage-guided libFuzzer executables (`Fuzz/`, `scripts/fuzz.sh`). A crash or hang
/// is the parser's bug; a broken promise is thrown as an `InvariantViolation`, which the
/// libFuzzer harness turns into a crash so that libFuzzer saves the input.
public struct FuzzTarget: Sendable {
    /// The name `scripts/fuzz.sh` and the tests use (`jsonl`, `sse`, ...).
    public let name: String
    /// Small valid and nearly valid inputs to start mutating from.
    public let seeds: [[UInt8]]
    /// The wire formats whose real streams (the shared recordings, the simulator's rendering)
    /// the harnesses add to the seeds.
    public let streamFormats: [WireProtocol]
    private let body: @Sendable ([UInt8]) throws(InvariantViolation) -> Void

    public init(
        name: String, seeds: [String], streamFormats: [WireProtocol] = [],
        body: @escaping @Sendable ([UInt8]) throws(InvariantViolation) -> Void
    ) {
        self.name = name
        self.seeds = seeds.map { Array($0.utf8) }
        self.streamFormats = streamFormats
        self.body = body
    }

    /// Runs the parser over `input`; throws when it broke one of its promises.
    public func run(_ input: [UInt8]) throws(InvariantViolation) {
        try body(input)
    }
}

/// A parser accepted or rejected input in a way it promises never to.
public struct InvariantViolation: Error, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Where two sequences first differ, for a violation's message.
func firstDifference<Element: Equatable>(_ expected: [Element], _ actual: [Element]) -> String {
    let index = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(expected.count, actual.count)
    let want = index < expected.count ? String(reflecting: expected[index]) : "nothing"
    let got = index < actual.count ? String(reflecting: actual[index]) : "nothing"
    return "at #\(index) expected \(want), got \(got) (\(expected.count) vs \(actual.count) in all)"
}

/// Every registered target, in the order the harnesses run them.
public enum FuzzTargets {
    /// One line per target: a new parser joins both harnesses by being listed here.
    public static let all: [FuzzTarget] = [
        .jsonl,
        .sse,
        .anthropicStream,
        .openAIChatStream,
        .openAIResponsesStream,
        .configTOML,
        .pricingTOML,
        .agentLogs,
        .proxyRequest,
        .proxyUsageChunk,
        .tokenReply,
    ]

    /// The target called `name`, if registered.
    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
