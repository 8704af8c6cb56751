/// Vertical bars, one per category (a time bucket), each stacked from its series' values:
/// spend over time split by model, agent or provider.
///
/// `layout()` is the geometry as plain numbers (tested without markup); `svg(...)` draws it.
public struct StackedBarChart: Sendable {
    public struct Series: Sendable, Equatable {
        public var name: String
        /// One value per category; negative values count as zero.
        public var values: [Double]
        /// A colour of its own (the grey of "other"); `nil`: the palette's, by position.
        public var color: String?

        public init(name: String, values: [Double], color: String? = nil) {
            self.name = name
            self.values = values
            self.color = color
        }

        /// What the series is drawn in when it is the `index`th.
        public func color(at index: Int) -> String { color ?? ChartPalette.color(index) }
    }

    public struct Bar: Sendable, Equatable {
        public var series: Int
        public var category: Int
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double
        public var value: Double
    }

    /// A label along an axis: its position (x for categories, y for values) and text.
    public struct AxisLabel: Sendable, Equatable {
        public var position: Double
        public var text: String
    }

    public struct Layout: Sendable, Equatable {
        /// The plot area inside the axes.
        public var plotLeft: Double
        public var plotTop: Double
        public var plotWidth: Double
        public var plotHeight: Double
        public var scale: NiceScale
        /// Drawn bar segments, bottom series first; zero values draw nothing.
        public var bars: [Bar]
        /// Value ticks, bottom to top, with y positions.
        public var valueLabels: [AxisLabel]
        /// Category labels that fit, thinned evenly, with x centres.
        public var categoryLabels: [AxisLabel]
    }

    public var categories: [String]
    public var series: [Series]
    public var width: Double
    public var height: Double
    /// Space for the value labels on the left and the category labels below.
    public var leftMargin = 64.0
    public var bottomMargin = 28.0
    public var topMargin = 10.0
    public var rightMargin = 8.0
    /// The narrowest a category label may be given before labels are thinned.
    public var categoryLabelWidth = 78.0
    /// The widest a bar is drawn, so that a few categories do not make slabs.
    public var maximumBarWidth = 64.0

    public init(categories: [String], series: [Series], width: Double = 1040, height: Double = 280) {
        self.categories = categories
        self.series = series
        self.width = width
        self.height = height
    }

    /// The total of each category over all series.
    public var categoryTotals: [Double] {
        categories.indices.map { category in
            series.reduce(0) { sum, one in sum + max(0, category < one.values.count ? one.values[category] : 0) }
        }
    }

    public func layout(valueLabel: (Double) -> String = { Markup.coordinate($0) }) -> Layout {
        let plotLeft = leftMargin, plotTop = topMargin
        let plotWidth = max(1, width - leftMargin - rightMargin)
        let plotHeight = max(1, height - topMargin - bottomMargin)
        let scale = NiceScale(largestValue: categoryTotals.max() ?? 0)
        let slot = categories.isEmpty ? plotWidth : plotWidth / Double(categories.count)
        // Bars fill most of their slot; a gap of at least one pixel keeps them apart.
        let barWidth = max(0.5, min(slot * 0.8, slot - 1, maximumBarWidth))
        var bars: [Bar] = []
        for category in categories.indices {
            var base = 0.0
            let x = plotLeft + slot * Double(category) + (slot - barWidth) / 2
            for (index, one) in series.enumerated() {
                let value = max(0, category < one.values.count ? one.values[category] : 0)
                guard value > 0 else { continue }
                let bottom = scale.position(of: base, length: plotHeight)
                let top = scale.position(of: base + value, length: plotHeight)
                bars.append(Bar(
                    series: index, category: category, x: x, y: plotTop + plotHeight - top, width: barWidth,
                    height: top - bottom, value: value))
                base += value
            }
        }
        let valueLabels = scale.ticks.map { tick in
            AxisLabel(position: plotTop + plotHeight - scale.position(of: tick, length: plotHeight), text: valueLabel(tick))
        }
        let every = max(1, Int((categoryLabelWidth / slot).rounded(.up)))
        let categoryLabels = stride(from: 0, to: categories.count, by: every).map { category in
            AxisLabel(position: plotLeft + slot * (Double(category) + 0.5), text: categories[category])
        }
        return Layout(
            plotLeft: plotLeft, plotTop: plotTop, plotWidth: plotWidth, plotHeight: plotHeight, scale: scale, bars: bars,
            valueLabels: valueLabels, categoryLabels: categoryLabels)
    }

    /// The chart as an inline `<svg>`: a title and description for screen readers, grid lines,
    /// axis labels, and one `<rect>` per segment with a tooltip (`<title>`) naming its category,
    /// series and value. Colours come from `ChartPalette`, in series order.
    ///
    /// - Parameters:
    ///   - valueLabel: The text of a value tick (`$1.50`).
    ///   - valueText: The text of a segment's value in its tooltip.
    public func svg(
        title: String, description: String, valueLabel: (Double) -> String, valueText: (Double) -> String
    ) -> Markup {
        let layout = layout(valueLabel: valueLabel)
        var out: Markup = """
            <svg class="chart" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" role="img" \
            xmlns="http://www.w3.org/2000/svg"><title>\(title)</title><desc>\(description)</desc>
            """
        let right = layout.plotLeft + layout.plotWidth
        out += "<g class=\"grid\">"
        for label in layout.valueLabels {
            out += """
                <line x1="\(layout.plotLeft)" x2="\(right)" y1="\(label.position)" y2="\(label.position)"/>\
                <text class="value-label" x="\(layout.plotLeft - 6)" y="\(label.position + 4)" text-anchor="end">\(label.text)</text>
                """
        }
        out += "</g><g class=\"bars\">"
        for bar in layout.bars {
            let name = series[bar.series].name
            out += """
                <rect x="\(bar.x)" y="\(bar.y)" width="\(bar.width)" height="\(max(bar.height, 0.5))" \
                fill="\(series[bar.series].color(at: bar.series))" data-series="\(name)" data-category="\(categories[bar.category])">\
                <title>\(categories[bar.category]) · \(name): \(valueText(bar.value))</title></rect>
                """
        }
        let baseline = layout.plotTop + layout.plotHeight
        out += """
            </g><line class="axis" x1="\(layout.plotLeft)" x2="\(right)" y1="\(baseline)" y2="\(baseline)"/>\
            <g class="category-labels">
            """
        for label in layout.categoryLabels {
            out += "<text x=\"\(label.position)\" y=\"\(baseline + 16)\" text-anchor=\"middle\">\(label.text)</text>"
        }
        out += "</g></svg>"
        return out
    }
}
