import LLMCostCharts
import Testing

@Suite struct NiceScaleTests {
    @Test(arguments: [
        (0.87, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (1.0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (7.3, [0, 2, 4, 6, 8]),
        (12.0, [0, 2.5, 5, 7.5, 10, 12.5]),
        (4200.0, [0, 1000, 2000, 3000, 4000, 5000]),
        (0.0031, [0, 0.001, 0.002, 0.003, 0.004]),
    ])
    func ticksAreRoundStepsFromZeroToJustAboveTheLargestValue(largest: Double, expected: [Double]) {
        let scale = NiceScale(largestValue: largest)
        #expect(scale.ticks.count == expected.count, "\(scale.ticks)")
        for (tick, want) in zip(scale.ticks, expected) {
            #expect(abs(tick - want) < 1e-12, "\(scale.ticks)")
        }
        #expect(scale.maximum >= largest)
    }

    @Test func anEmptyOrBrokenRangeStillGivesAnAxis() {
        for value in [0.0, -3, .nan, .infinity] {
            let scale = NiceScale(largestValue: value)
            #expect(scale.ticks.first == 0)
            #expect(scale.maximum == 1)
            #expect(scale.position(of: 5, length: 100) == 100)
        }
    }

    @Test func labelDecimalsTellTicksApart() {
        #expect(NiceScale(largestValue: 7.3).labelDecimals == 0)
        #expect(NiceScale(largestValue: 0.87).labelDecimals == 1)
        #expect(NiceScale(largestValue: 12).labelDecimals == 1)
        #expect(NiceScale(largestValue: 0.0031).labelDecimals == 3)
    }

    @Test func positionsAreProportionalAndClamped() {
        let scale = NiceScale(largestValue: 8)
        #expect(scale.position(of: 4, length: 200) == 100)
        #expect(scale.position(of: -1, length: 200) == 0)
        #expect(scale.position(of: 99, length: 200) == 200)
    }
}

@Suite struct MarkupTests {
    @Test func interpolatedTextIsEscapedAndMarkupIsKept() {
        let name = "<script>alert('x')</script> & \"co\""
        let inner: Markup = "<b>\(name)</b>"
        let outer: Markup = "<p title=\"\(name)\">\(inner)</p>"
        #expect(inner.text == "<b>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;</b>")
        #expect(outer.text.hasPrefix("<p title=\"&lt;script&gt;"))
        #expect(outer.text.contains("<b>&lt;script"), "markup interpolated is not escaped twice")
        let raw: Markup = "<style>\(raw: "a > b {}")</style>"
        #expect(raw.text == "<style>a > b {}</style>")
    }

    @Test func coordinatesHaveAtMostOneDecimal() {
        #expect(Markup.coordinate(12) == "12")
        #expect(Markup.coordinate(12.345) == "12.3")
        #expect(Markup.coordinate(-0.04) == "0")
        #expect(Markup.coordinate(-2.25) == "-2.3" || Markup.coordinate(-2.25) == "-2.2")
        #expect(Markup.coordinate(.nan) == "0")
        #expect(Markup.coordinate(1e12) == "1000000000000")
    }
}
