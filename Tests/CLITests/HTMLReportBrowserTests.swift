import Foundation
import LLMCostTestSupport
import Testing

/// `report --format html` drawn by a real browser (headless chromium): the page is drawn (not
/// blank, charts present, light and dark), its script runs without a console message, and the
/// DOM holds the JSON report's totals. `LLM_COST_KEEP_SCREENSHOTS=DIR` keeps the screenshots.
@Suite struct HTMLReportBrowserTests {
    enum LedgerShape: String, CaseIterable, Sendable {
        case empty, oneCall, manyCalls
    }

    /// Calls over two weeks: five models (one not in the pricing table), three agents, sessions.
    static func manyCalls() -> String {
        let models = ["claude-sonnet-4-5", "gpt-4.1", "claude-haiku-4-5", "gpt-4o-mini", "in-house-model-7"]
        let agents = ["coder", "researcher", "reviewer"]
        let start = 1_795_000_000_000 as Int64  // 2026-11-18
        var lines: [String] = []
        for index in 0..<3000 {
            let model = models[(index * 7 + index / 11) % models.count]
            let ms = start + Int64(index) * 14 * 86_400_000 / 3000
            let time = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
            let cost = model == "in-house-model-7" ? "" : ",\"cost_usd\":\"0.\(String(format: "%09d", 1_000_000 + (index * 7919) % 40_000_000))\""
            lines.append(
                "{\"ts\":\"\(time)\",\"provider\":\"\(model.hasPrefix("gpt") ? "openai" : "anthropic")\",\"model\":\"\(model)\","
                    + "\"agent\":\"\(agents[index % 3])\",\"session\":\"s-\(index / 40)\",\"request_id\":\"r-\(index)\","
                    + "\"input_tokens\":\(1000 + index % 5000),\"output_tokens\":\(200 + index % 900),"
                    + "\"cache_read_tokens\":\(index % 4 == 0 ? 0 : 8000)\(cost)}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A ledger of `shape` under `home`.
    func ledger(_ shape: LedgerShape, home: URL) async throws -> String {
        let path = home.appendingPathComponent("ledger.sqlite").path
        switch shape {
        case .empty:
            _ = try await CLIRunner.run(["import", "--db", path, "-"], stdin: "", home: home)
        case .oneCall:
            let result = try await CLIRunner.run(
                ["record", "--db", path, "--provider", "anthropic", "--model", "claude-sonnet-4-5", "--agent", "coder",
                 "--session", "only", "--input", "1200", "--output", "300", "--cache-read", "5000"], home: home)
            #expect(result.status == 0, "\(result.stderr)")
        case .manyCalls:
            let result = try await CLIRunner.run(["import", "--db", path, "-"], stdin: Self.manyCalls(), home: home)
            #expect(result.status == 0, "\(result.stderr)")
        }
        return path
    }

    @Test(arguments: LedgerShape.allCases)
    func thePageIsDrawnWithTheReportsTotals(shape: LedgerShape) async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let database = try await ledger(shape, home: home)
        let page = home.appendingPathComponent("report.html")
        let html = try await CLIRunner.run(
            ["report", "--db", database, "--by", "model,agent", "--format", "html", "-o", page.path], home: home)
        #expect(html.status == 0, "\(html.stderr)")
        #expect(html.stdout.isEmpty, "-o writes the file, not standard output")
        let json = try await CLIRunner.run(["report", "--db", database, "--by", "model,agent", "--format", "json"], home: home)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let total = try #require(report["total"] as? [String: Any])
        let text = try String(contentsOf: page, encoding: .utf8)
        #expect(!text.contains("src=\"") && !text.contains("<link") && !text.contains("url("), "the page fetches nothing")

        let (dom, shots) = try await HeavyWorkSlots.shared.run {
            try await onOwnThread { () throws -> (HeadlessBrowser.Output, [URL]) in
                let browser = try HeadlessBrowser()
                defer { browser.close() }
                let dom = try browser.dumpDOM(page)
                var shots: [URL] = []
                for dark in [false, true] {
                    let png = home.appendingPathComponent("\(shape.rawValue)-\(dark ? "dark" : "light").png")
                    let drawn = try browser.screenshot(page, to: png, dark: dark)
                    #expect(drawn.consoleLines.isEmpty, "\(drawn.consoleLines)")
                    shots.append(png)
                }
                let blankPage = home.appendingPathComponent("blank.html")
                try "<!DOCTYPE html><html><body></body></html>".write(to: blankPage, atomically: true, encoding: .utf8)
                let blank = home.appendingPathComponent("blank.png")
                _ = try browser.screenshot(blankPage, to: blank)
                return (dom, shots + [blank])
            }
        }
        #expect(dom.consoleLines.isEmpty, "the page wrote to its console: \(dom.consoleLines)")
        let drawnDOM = dom.stdout
        #expect(drawnDOM.contains("id=\"total-cost\""))
        #expect(drawnDOM.contains("data-usd=\"\(total["cost_usd"] as? String ?? "?")\""), "the headline is the JSON total")
        #expect(drawnDOM.contains("<svg class=\"chart\""), "the spend chart is there")
        let bars = drawnDOM.components(separatedBy: "<rect ").count - 1
        if shape == .empty {
            #expect(bars == 0)
            #expect(drawnDOM.contains("No calls in this window."))
        } else {
            #expect(bars > 0, "bars drawn")
            #expect(drawnDOM.contains("tabindex=\"0\""), "the sorting script ran")
            #expect(drawnDOM.contains(">\(total["calls"] as? Int ?? -1)<") || drawnDOM.contains("title=\"\(total["calls"] as? Int ?? -1)\""))
        }
        // A drawn page is many times larger as PNG than a blank one of the same size.
        let sizes = try shots.map { try FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int ?? 0 }
        for (shot, size) in zip(shots.dropLast(), sizes.dropLast()) {
            #expect(size > 4 * sizes.last!, "\(shot.lastPathComponent) looks blank: \(size) bytes vs \(sizes.last!) blank")
        }
        if let keep = ProcessInfo.processInfo.environment["LLM_COST_KEEP_SCREENSHOTS"] {
            try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            for shot in shots.dropLast() {
                let target = URL(fileURLWithPath: keep).appendingPathComponent(shot.lastPathComponent)
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: shot, to: target)
            }
        }
    }

    /// The checks above can fail: a script error reaches the console lines, and a blank page is
    /// told from a drawn one.
    @Test func theBrowserChecksCanFail() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let broken = home.appendingPathComponent("broken.html")
        try "<!DOCTYPE html><html><body><p>x</p><script>notDefined();</script></body></html>"
            .write(to: broken, atomically: true, encoding: .utf8)
        let output = try await HeavyWorkSlots.shared.run {
            try await onOwnThread { () throws -> HeadlessBrowser.Output in
                let browser = try HeadlessBrowser()
                defer { browser.close() }
                return try browser.dumpDOM(broken)
            }
        }
        #expect(output.consoleLines.contains { $0.contains("notDefined") }, "\(output.consoleLines)")
    }

    @Test func blockReportsAreNotDrawnAndSaySo() async throws {
        let home = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let database = try await ledger(.oneCall, home: home)
        let result = try await CLIRunner.run(["report", "--db", database, "--by", "block", "--format", "html"], home: home)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--format html"), "\(result.stderr)")
    }
}
