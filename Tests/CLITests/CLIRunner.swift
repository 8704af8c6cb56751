import Foundation
import LLMCostTestSupport

/// Runs the built `llm-cost` binary, as a user would, and captures what it prints.
///
/// The binary sits beside the test bundle in the build products folder (`swift test` builds
/// it); `LLM_COST_BINARY` overrides the path.
struct CLIRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Whether it exited on its own, rather than being killed by a signal (then `status`
        /// is the signal).
        var exitedNormally = true
    }

    static var binaryURL: URL {
        if let path = ProcessInfo.processInfo.environment["LLM_COST_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBinary.deletingLastPathComponent()
        // On Linux the test binary is `<products>/llm-costPackageTests.xctest`; on macOS it is a
        // bundle whose executable sits deeper.
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("llm-cost").path),
            folder.path != "/"
        {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("llm-cost")
    }

    /// The `../shared` folder beside the package, for tests that read the shared data.
    static var sharedDirectory: URL { SharedFolder.url }

    /// `llm-cost arguments...`, ready to start, with `environment` added to a clean environment
    /// (HOME and XDG folders pointed at `home`, so no test touches the user's files) and its
    /// output discarded: for tests that run several at once or stop one midway.
    static func process(_ arguments: [String], home: URL, environment: [String: String] = [:]) -> Process {
        let process = Process()
        process.executableURL = binaryURL
        process.arguments = arguments
        var env = [
            "HOME": home.path,
            "XDG_DATA_HOME": home.appendingPathComponent("data").path,
            "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
            "XDG_CACHE_HOME": home.appendingPathComponent("cache").path,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "NO_COLOR": "1",
            "TZ": "UTC",
            // A crashing child fails its test by its signal; the backtracer it would start can
            // hold the output pipes open for minutes (seen with a trap inside a write).
            "SWIFT_BACKTRACE": "enable=no",
        ]
        env.merge(environment) { _, new in new }
        process.environment = env
        process.currentDirectoryURL = home
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return process
    }

    /// Runs `llm-cost arguments...` (see `process`) and captures what it prints.
    static func run(
        _ arguments: [String], stdin: String? = nil, home: URL, environment: [String: String] = [:]
    ) throws -> Result {
        try capture(process(arguments, home: home, environment: environment), stdin: stdin, home: home)
    }

    /// Runs the `sqlite3` shell on `database` with `sql` (waiting up to 5 s for a lock), as a
    /// person checking the ledger from outside would, and captures what it prints.
    static func sqlite(_ database: String, _ sql: String, home: URL) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-batch", "-bail", "-cmd", ".timeout 5000", database, sql]
        process.environment = ["HOME": home.path] // no ~/.sqliterc of the user's
        return try capture(process, stdin: nil, home: home)
    }

    /// Runs `sql` with `psql` on the database at `url` (a ledger on a server, read from outside
    /// as a person would), rows as `a|b` lines.
    static func psql(_ url: String, password: String, _ sql: String, home: URL) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        let plain = url.components(separatedBy: "?").first ?? url
        process.arguments = [plain, "-X", "-tAc", sql]
        process.environment = ["PGPASSWORD": password, "PATH": "/usr/bin:/bin", "HOME": home.path]
        return try capture(process, stdin: nil, home: home)
    }

    /// Runs `process` to its end with its output in files under `home` and returns what it printed.
    /// `whileRunning`, if given, is called about every millisecond until the process exits, with
    /// a reader of what it has printed on stderr so far (a crash test kills it from there).
    static func capture(
        _ process: Process, stdin: String? = nil, home: URL, whileRunning: ((_ stderr: @escaping () -> String) -> Void)? = nil
    ) throws -> Result {
        // Output goes to files rather than pipes, so a chatty process can never block.
        let outURL = home.appendingPathComponent(".stdout-\(UUID().uuidString)")
        let errURL = home.appendingPathComponent(".stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        if let whileRunning {
            let stderrSoFar = { String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self) }
            while process.isRunning {
                whileRunning(stderrSoFar)
                usleep(1_000)
            }
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self),
            exitedNormally: process.terminationReason == .exit)
    }

    /// `run`, waited for on a thread of its own (see `onOwnThread`) once a heavy-work slot is free
    /// (see `HeavyWorkSlots`): what async tests call, so a test waiting on the binary never holds
    /// one of Swift concurrency's few threads, and the suite never runs more binaries than cores.
    static func run(
        _ arguments: [String], stdin: String? = nil, home: URL, environment: [String: String] = [:]
    ) async throws -> Result {
        try await HeavyWorkSlots.shared.run {
            try await onOwnThread { try run(arguments, stdin: stdin, home: home, environment: environment) }
        }
    }

    /// A fresh temporary folder, removed by the caller's `defer`.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("llm-cost-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The `sqlite3` shell holding a ledger's write lock (`BEGIN IMMEDIATE`), as another process
/// would, until `release()`.
struct SQLiteLockHolder {
    private let shell = Process()
    private let input = Pipe()

    /// Starts the shell and returns once it holds the lock (waiting up to 5 s for another
    /// writer). With `leavingWALNotEmpty`, it first commits a change that leaves nothing behind
    /// (a table created and dropped) and stays open, so the WAL is not empty: other processes
    /// can still open the ledger (opening it on an empty WAL writes to it) and get as far as
    /// their own writes, which then wait for the lock.
    init(path: String, leavingWALNotEmpty: Bool = false) throws {
        let output = Pipe()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [path]
        shell.standardInput = input
        shell.standardOutput = output
        try shell.run()
        let prelude = leavingWALNotEmpty ? "CREATE TABLE lock_holder_wal (x);\nDROP TABLE lock_holder_wal;\n" : ""
        input.fileHandleForWriting.write(Data(".timeout 5000\n\(prelude)BEGIN IMMEDIATE;\nSELECT 'locked';\n".utf8))
        _ = output.fileHandleForReading.availableData // the shell answered: it holds the lock
    }

    /// Ends the shell (and its transaction) and waits for it to exit.
    func release() throws {
        try input.fileHandleForWriting.close()
        shell.waitUntilExit()
    }
}

/// What a child process printed so far, collected from its pipe on another thread.
final class PrintedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    /// Collects what `process` writes on standard output (set before it runs).
    static func standardOutput(of process: Process) -> PrintedLines {
        let (printed, pipe) = collecting()
        process.standardOutput = pipe
        return printed
    }

    /// Collects what `process` writes on standard error (set before it runs).
    static func standardError(of process: Process) -> PrintedLines {
        let (printed, pipe) = collecting()
        process.standardError = pipe
        return printed
    }

    private static func collecting() -> (PrintedLines, Pipe) {
        let printed = PrintedLines()
        let pipe = Pipe()
        pipe.fileHandleForReading.readabilityHandler = { handle in printed.append(handle.availableData) }
        return (printed, pipe)
    }
}
