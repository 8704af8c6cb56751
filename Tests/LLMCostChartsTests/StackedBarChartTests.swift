import Foundation
import LLMCostCharts
import Testing

@Suite struct StackedBarChartTests {
    let chart = StackedBarChart(
        categories: ["d1", "d2", "d3", "d4"],
        series: [
            .init(name: "alpha", values: [1, 0, 3, 2]),
            .init(name: "beta", values: [1, 2, 0, -5]),
        ],
        width: 464, height: 238)

    @Test func segmentsStackWithoutGapsAndTheTallestBarReachesItsTotal() {
        let layout = chart.layout()
        #expect(chart.categoryTotals == [2, 2, 3, 2], "negative values count as zero")
        #expect(layout.scale.maximum == 3)
        // Zero and negative values draw nothing.
        #expect(layout.bars.count == 5)
        let baseline = layout.plotTop + layout.plotHeight
        for category in 0..<4 {
            let segments = layout.bars.filter { $0.category == category }.sorted { $0.series < $1.series }
            var bottom = baseline
            for segment in segments {
                #expect(abs(segment.y + segment.height - bottom) < 1e-9, "segment sits on the one below")
                bottom = segment.y
            }
            let drawn = segments.reduce(0) { $0 + $1.height }
            #expect(abs(drawn - layout.plotHeight * chart.categoryTotals[category] / 3) < 1e-9)
        }
        let third = layout.bars.first { $0.category == 2 }!
        #expect(abs(third.y - layout.plotTop) < 1e-9, "the largest total fills the plot")
    }

    @Test func barsAreCentredInEqualSlotsAndLabelsThinOutWhenCrowded() {
        let layout = chart.layout()
        let slot = layout.plotWidth / 4
        for bar in layout.bars {
            let centre = bar.x + bar.width / 2
            #expect(abs(centre - (layout.plotLeft + slot * (Double(bar.category) + 0.5))) < 1e-9)
            #expect(bar.width < slot)
        }
        #expect(layout.categoryLabels.map(\.text) == ["d1", "d2", "d3", "d4"])
        var crowded = chart
        crowded.categories = (1...90).map { "day \($0)" }
        let labels = crowded.layout().categoryLabels
        #expect(labels.count < 10 && labels.count >= 4, "\(labels.count)")
        #expect(labels.first?.text == "day 1")
        let gaps = zip(labels, labels.dropFirst()).map { $1.position - $0.position }
        #expect(gaps.allSatisfy { $0 >= crowded.categoryLabelWidth - 1e-9 })
    }

    @Test func anEmptyChartStillHasAnAxis() {
        let empty = StackedBarChart(categories: [], series: [])
        let layout = empty.layout()
        #expect(layout.bars.isEmpty)
        #expect(layout.valueLabels.count >= 2)
        let svg = empty.svg(title: "t", description: "d", valueLabel: { "\($0)" }, valueText: { "\($0)" }).text
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
    }

    /// The drawn chart against a golden file (`RECORD_SNAPSHOTS=1` writes it anew): a change in
    /// the markup shows up in review as a diff of the SVG.
    @Test func svgMatchesItsSnapshot() throws {
        let svg = chart.svg(
            title: "Spend <by> day", description: "two series & four days",
            valueLabel: { "$\(Markup.coordinate($0))" }, valueText: { "$\($0)" }
        ).text
        #expect(svg.contains("<title>Spend &lt;by&gt; day</title>"))
        #expect(svg.components(separatedBy: "<rect").count - 1 == 5)
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Snapshots/stacked-bars.svg")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (svg + "\n").write(to: url, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(svg + "\n" == golden, "run with RECORD_SNAPSHOTS=1 to accept the new drawing")
    }
}
