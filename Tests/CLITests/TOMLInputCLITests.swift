import Foundation
import Testing

/// Malformed TOML that made the old reader (toml++) abort the process: the binary must now exit
/// with its usual status for a bad file and say where the file is wrong.
@Suite struct TOMLInputCLITests {
    static let badHeaders: [(text: String, line: Int, column: Int, message: String)] = [
        ("[[>budgets]]\nname = \"x\"\n", 1, 3, "expected a key in the [[...]] header, found '>'"),
        ("[report]\ntimezone = \"UTC\"\n\n[>report]\n", 4, 2, "expected a key in the table header, found '>'"),
    ]

    @Test func aBadTableHeaderInTheConfigIsAnErrorWithFileLineAndColumn() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let config = home.appendingPathComponent("bad.toml")
        for bad in Self.badHeaders {
            try bad.text.write(to: config, atomically: true, encoding: .utf8)
            let result = try await CLIRunner.run(["config", "show", "--config", config.path], home: home)
            #expect(result.exitedNormally, "killed by signal \(result.status)")
            #expect(result.status == 1)
            #expect(result.stderr.contains("\(config.path):\(bad.line):\(bad.column): invalid TOML: \(bad.message)"), "\(result.stderr)")
        }
    }

    @Test func aBadTableHeaderInAUserPricingFileIsReportedWithFileAndLine() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let folder = home.appendingPathComponent("prices")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("house.toml")
        for bad in Self.badHeaders {
            try ("provider = \"house\"\n" + bad.text).write(to: file, atomically: true, encoding: .utf8)
            let validate = try await CLIRunner.run(["pricing", "validate", "--pricing-dir", folder.path], home: home)
            #expect(validate.exitedNormally, "killed by signal \(validate.status)")
            #expect(validate.status == 1)
            #expect(
                validate.stdout.contains("\(file.path):\(bad.line + 1): not valid TOML: column \(bad.column): \(bad.message)"),
                "\(validate.stdout)\(validate.stderr)")

            // A command that only needs the table refuses the broken file the same way.
            let cost = try await CLIRunner.run(["cost", "--model", "gpt-4o", "--input", "10", "--pricing-dir", folder.path], home: home)
            #expect(cost.exitedNormally, "killed by signal \(cost.status)")
            #expect(cost.status == 1)
            #expect(cost.stderr.contains("\(file.path):\(bad.line + 1): not valid TOML"), "\(cost.stderr)")
        }
    }
}
