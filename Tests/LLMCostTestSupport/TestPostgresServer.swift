import Foundation
import LLMCostStore
import LLMCostPostgres

/// The PostgreSQL server the tests run against, and a fresh database per test.
///
/// `$LLM_COST_TEST_POSTGRES_URL` (with `$LLM_COST_TEST_POSTGRES_PASSWORD`) names one; without
/// it, `scripts/postgres-test-server.sh start` starts a throwaway server on loopback (or finds
/// the one it started before). No server is a failure that says why, never a silent skip.
public enum TestServer {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The server's URL (its `postgres` database) and the password.
    public static let server: Result<(url: String, password: String?), Unavailable> = {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["LLM_COST_TEST_POSTGRES_URL"], !url.isEmpty {
            return .success((url, environment["LLM_COST_TEST_POSTGRES_PASSWORD"]))
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/postgres-test-server.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "start"]
        // Files, not pipes: the server the script starts inherits the descriptors and would
        // keep a pipe open (and this read waiting) for as long as it runs.
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("pg-start-\(UUID().uuidString)")
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("pg-start-\(UUID().uuidString).err")
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        do {
            _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: outputFile)
            process.standardError = try FileHandle(forWritingTo: errorFile)
            try process.run()
        } catch {
            return .failure(Unavailable(description: "cannot run \(script): \(error)"))
        }
        process.waitUntilExit()
        let url = ((try? String(contentsOf: outputFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let message = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0, !url.isEmpty else {
            return .failure(Unavailable(description: "no PostgreSQL server for the tests: \(script) start failed: \(message)"
                + " (set LLM_COST_TEST_POSTGRES_URL, or install postgresql)"))
        }
        let folder = environment["LLM_COST_PG_DIR"] ?? "/tmp/llm-cost-pg-\(getuid())"
        let password = (try? String(contentsOfFile: folder + "/password", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return .success((url, password))
    }()

    /// The administrative connection (the `postgres` database), for creating test databases.
    package static func administrator() throws -> (PostgresServer, password: String?) {
        let (url, password) = try server.get()
        return (try PostgresServer(location: try PostgresLocation(url: url), password: password), password)
    }

    /// A new, empty database for one test, dropped by `drop`.
    public static func freshDatabase() throws -> TestDatabase {
        let (admin, password) = try administrator()
        defer { admin.shutdown() }
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        try admin.executeOutsideTransaction("CREATE DATABASE \(name)")
        var location = admin.location
        location.database = String(name)
        return TestDatabase(location: location, password: password)
    }
}

/// A database made for one test.
public struct TestDatabase: Sendable {
    public var location: PostgresLocation
    public var password: String?

    /// The URL of the database (without the password, which `environment` carries).
    public var url: String { location.redacted }
    /// `PGPASSWORD` for processes that connect to it.
    public var environment: [String: String] { password.map { ["PGPASSWORD": $0] } ?? [:] }

    package func connect(_ options: PostgresServer.Options = .init()) throws -> PostgresServer {
        try PostgresServer(location: location, password: password, options: options)
    }

    /// Drops the database (best effort: a test's failure is reported, not this).
    public func drop() {
        guard let (admin, _) = try? TestServer.administrator() else { return }
        defer { admin.shutdown() }
        try? admin.executeOutsideTransaction("DROP DATABASE IF EXISTS \(location.database) WITH (FORCE)")
    }
}
