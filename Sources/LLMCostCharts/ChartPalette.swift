/// Series colours that stay distinguishable with the common colour-vision deficiencies (the
/// Okabe–Ito set, without black, which disappears on a dark page), and a neutral grey for the
/// series that gathers the rest. Readable on white and on a dark background.
public enum ChartPalette {
    public static let series = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
    /// For "other": every series beyond the palette, folded into one.
    public static let rest = "#8C8C8C"

    /// The colour of series `index`; indexes past the palette get the grey of "other".
    public static func color(_ index: Int) -> String {
        index >= 0 && index < series.count ? series[index] : rest
    }
}
