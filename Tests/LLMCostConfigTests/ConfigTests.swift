import Foundation
import Testing
@testable import LLMCostConfig

@Suite struct ConfigTests {
    /// Writes `text` as a config file in a fresh folder and returns the folder and file path.
    func write(_ text: String, name: String = "llm-cost.toml") throws -> (folder: String, file: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = folder + "/" + name
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return (folder, file)
    }

    @Test func defaultsWithoutAnyFile() throws {
        let configuration = try Configuration.load(environment: ["HOME": "/nonexistent"], workingDirectory: "/nonexistent")
        #expect(configuration.file == nil)
        #expect(configuration.string("report.timezone") == "local")
        #expect(configuration.strings("report.group_by") == ["model"])
        #expect(configuration.integer("ledger.busy_timeout_ms") == 5000)
        #expect(configuration.source(of: "report.format") == .builtInDefault)
    }

    @Test func fileThenEnvironmentThenFlagEachOverrideAndSayWhere() throws {
        let (folder, file) = try write("""
            # a comment
            [ledger]
            path = "${HOME}/ledger.sqlite"

            [report]
            timezone = "Europe/Paris"
            group_by = ["agent", "day"]
            """)
        var configuration = try Configuration.load(environment: ["HOME": "/home/me", "LLM_COST_FORMAT": "json"], workingDirectory: folder)
        #expect(configuration.file == file)
        #expect(configuration.string("ledger.path") == "/home/me/ledger.sqlite")
        #expect(configuration.source(of: "ledger.path") == .file(path: file, line: 3))
        #expect(configuration.source(of: "report.group_by") == .file(path: file, line: 7))
        #expect(configuration.strings("report.group_by") == ["agent", "day"])
        #expect(configuration.string("report.format") == "json")
        #expect(configuration.source(of: "report.format") == .environment("LLM_COST_FORMAT"))
        configuration.override("ledger.path", with: .string("/tmp/x.sqlite"), flag: "--db")
        #expect(configuration.string("ledger.path") == "/tmp/x.sqlite")
        #expect(ConfigReport.render(configuration).contains("ledger.path = \"/tmp/x.sqlite\"    # flag --db"))
    }

    @Test func unknownKeysAreErrorsWithFileAndLine() throws {
        let (folder, file) = try write("""
            [report]
            timezone = "UTC"
            grup_by = ["model"]
            """)
        let error = try #require(throws: ConfigError.self) { try Configuration.load(workingDirectory: folder) }
        #expect(error.file == file)
        #expect(error.line == 3)
        #expect(error.description.contains("unknown key \"report.grup_by\""))
        #expect(error.description.contains("report.group_by"))
    }

    @Test func unknownSectionsWrongTypesAndSyntaxErrorsAreLocated() throws {
        let (folderA, _) = try write("\n[reprot]\nformat = \"json\"\n")
        let unknownSection = try #require(throws: ConfigError.self) { try Configuration.load(workingDirectory: folderA) }
        #expect(unknownSection.line == 2)

        let (folderB, _) = try write("[ledger]\nbusy_timeout_ms = \"soon\"\n")
        let wrongType = try #require(throws: ConfigError.self) { try Configuration.load(workingDirectory: folderB) }
        #expect(wrongType.line == 2)
        #expect(wrongType.description.contains("expected an integer"))

        let (folderC, _) = try write("[report]\n\ntimezone = \n")
        let syntax = try #require(throws: ConfigError.self) { try Configuration.load(workingDirectory: folderC) }
        #expect(syntax.line == 3)
    }

    @Test func missingVariablesAreNamed() throws {
        let (folder, _) = try write("[ledger]\npath = \"${NOPE_NOT_SET}/x\"\n")
        let error = try #require(throws: ConfigError.self) { try Configuration.load(environment: [:], workingDirectory: folder) }
        #expect(error.description.contains("${NOPE_NOT_SET} is not set"))
        #expect(error.line == 2)
    }

    @Test func providerTablesAreReadAndCheckedAndTheirSecretsRedacted() throws {
        let (folder, file) = try write("""
            [providers.work]
            type = "openai-compatible"
            base_url = "http://localhost:8000/v1"
            api_key_env = "WORK_KEY"
            extra_headers = { "X-Token" = "${SECRET}" }

            [providers.bad]
            type = "anthropic"
            colour = "blue"
            """)
        let error = try #require(throws: ConfigError.self) {
            try Configuration.load(environment: ["SECRET": "s3cr3t"], workingDirectory: folder)
        }
        #expect(error.file == file)
        #expect(error.line == 9)

        try "[providers.work]\ntype = \"openai-compatible\"\nextra_headers = { \"X-Token\" = \"${SECRET}\" }\nbase_url = \"https://h.example/${SECRET}/v1\"\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = try Configuration.load(environment: ["SECRET": "s3cr3t"], workingDirectory: folder)
        let work = try #require(configuration.providers.first)
        #expect(work.name == "work")
        #expect(work.values["extra_headers"] == .table(["X-Token": .string("s3cr3t")]))
        let shown = ConfigReport.render(configuration)
        #expect(!shown.contains("s3cr3t"))
        #expect(shown.contains("X-Token = <redacted>"))
        // A variable in any other value is shown by name, as written.
        #expect(work.values["base_url"] == .string("https://h.example/s3cr3t/v1"))
        #expect(shown.contains("base_url = \"https://h.example/${SECRET}/v1\""), "\(shown)")
    }

    @Test func keysAreLocatedHoweverTheyAreWritten() throws {
        let (folder, file) = try write("""
            report.timezone = "UTC"   # a dotted key at the top level
            [ledger]
            "busy_timeout_ms" = 100
            [[budgets]]
            name = "x"
            limit_usd = 1
            [[budgets]]
              name = "y"
              limit_usd = 2
            """)
        let configuration = try Configuration.load(environment: [:], workingDirectory: folder)
        #expect(configuration.source(of: "report.timezone") == .file(path: file, line: 1))
        #expect(configuration.source(of: "ledger.busy_timeout_ms") == .file(path: file, line: 3))
        #expect(configuration.budgets.map(\.line) == [4, 7])

        try "[[budgets]]\nname = \"x\"\nlimit_usd = 1\n[[budgets]]\nname = \"y\"\nlimit_usd = 2\n\n  period = \"fortnight\"\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: ConfigError.self) { try Configuration.load(environment: [:], workingDirectory: folder) }
        #expect(error.line == 8)
        #expect(error.description.contains("budgets[1].period"))
    }

    @Test func syntaxErrorsNameLineAndColumnAndWhatWasExpected() throws {
        let (folder, file) = try write("[report]\ntimezone = \"UTC\"\n[>report]\n")
        let error = try #require(throws: ConfigError.self) { try Configuration.load(workingDirectory: folder) }
        #expect(error.line == 3)
        #expect(error.column == 2)
        #expect(error.description == "\(file):3:2: invalid TOML: expected a key in the table header, found '>'")

        let (other, _) = try write("[[>budgets]]\n")
        let arrayHeader = try #require(throws: ConfigError.self) { try Configuration.load(workingDirectory: other) }
        #expect(arrayHeader.line == 1)
        #expect(arrayHeader.column == 3)
    }

    @Test func floatsArriveAsTheirWrittenDecimalSoMoneyIsExact() throws {
        let (folder, _) = try write("""
            [[budgets]]
            name = "cents"
            limit_usd = 0.1_0    # 0.1 has no exact binary form
            alerts = [0.333, 1e0]
            [[budgets]]
            name = "large"
            limit_usd = 123456789.123456789
            """)
        let configuration = try Configuration.load(environment: [:], workingDirectory: folder)
        #expect(configuration.budgets.map(\.limit.nanoUSD) == [100_000_000, 123_456_789_123_456_789])
        #expect(configuration.budgets.first?.alertThresholdsBasisPoints == [3330, 10_000])
        #expect(throws: ConfigError.self) {
            try Configuration.load(environment: [:], workingDirectory: try write("[[budgets]]\nname = \"n\"\nlimit_usd = nan\n").folder)
        }
    }

    @Test func datesAreRefusedWhereTheyAreWritten() throws {
        let (folder, _) = try write("[report]\n\ntimezone = 2025-01-01\n")
        let error = try #require(throws: ConfigError.self) { try Configuration.load(environment: [:], workingDirectory: folder) }
        #expect(error.line == 3)
        #expect(error.description.contains("dates are written as strings"))
    }

    @Test func configShowListsProviderKeysInFileOrder() throws {
        let (folder, _) = try write("[providers.local]\ntype = \"ollama\"\nmodel = \"llama3\"\nbase_url = \"http://127.0.0.1:11434/v1\"\n")
        let shown = ConfigReport.render(try Configuration.load(environment: [:], workingDirectory: folder))
        let lines = shown.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex { $0.hasPrefix("[providers.local]") })
        #expect(Array(lines[(start + 1)...].prefix(3)) == [
            "type = \"ollama\"", "model = \"llama3\"", "base_url = \"http://127.0.0.1:11434/v1\"",
        ])
    }
}
