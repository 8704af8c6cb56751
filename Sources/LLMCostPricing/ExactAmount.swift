import LLMCostCore

/// An exact USD amount in atto-dollars (10⁻¹⁸ USD), the unit every cost component is computed
/// in before the one rounding to `Money`'s nano-dollars.
///
/// Per-million-token prices with up to 12 decimals times integer token counts land exactly on
/// this unit, so a breakdown's components add up to the unrounded total with nothing lost.
public struct ExactAmount: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let decimals = 18
    public var attoUSD: Int128

    public init(attoUSD: Int128) { self.attoUSD = attoUSD }

    public static let zero = ExactAmount(attoUSD: 0)

    /// Rounded once, half to even, to nano-dollars; `nil` if it does not fit `Money`.
    public var money: Money? {
        ExactDecimal(isNegative: attoUSD < 0, significand: attoUSD.magnitude, exponent: -Self.decimals)
            .rounded(toScale: Money.scale).map(Money.init(nanoUSD:))
    }

    /// A plain decimal with at least nine places and no trailing zeros beyond them:
    /// `"0.007722000"`, `"0.000000000375"`.
    public var decimalString: String {
        var digits = String(attoUSD.magnitude)
        if digits.count <= Self.decimals {
            digits = String(repeating: "0", count: Self.decimals - digits.count + 1) + digits
        }
        let point = digits.index(digits.endIndex, offsetBy: -Self.decimals)
        var fraction = Substring(digits[point...])
        while fraction.count > Money.scale, fraction.last == "0" { fraction = fraction.dropLast() }
        return (attoUSD < 0 ? "-" : "") + digits[..<point] + "." + fraction
    }

    public var description: String { decimalString }

    public static func < (lhs: ExactAmount, rhs: ExactAmount) -> Bool { lhs.attoUSD < rhs.attoUSD }
    public static func + (lhs: ExactAmount, rhs: ExactAmount) -> ExactAmount {
        ExactAmount(attoUSD: lhs.attoUSD + rhs.attoUSD)
    }
}

extension ExactDecimal {
    /// The value × 10^scale as an integer if that is exact and fits `Int64`, else `nil`.
    /// Used to turn written prices into the engine's integer rates without rounding anything.
    func exactInteger(atScale scale: Int) -> Int64? {
        var magnitude = significand
        var shift = exponent + scale
        // Trailing zeros written after the point ("3.750") do not make a price inexact.
        while shift < 0, magnitude % 10 == 0, magnitude != 0 {
            magnitude /= 10
            shift += 1
        }
        if magnitude == 0 { return 0 }
        guard shift >= 0 else { return nil }
        for _ in 0..<shift {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            magnitude = product
        }
        guard magnitude <= UInt128(Int64.max) else { return nil }
        return isNegative ? -Int64(magnitude) : Int64(magnitude)
    }

    /// The exact product of two decimals (`nil` past 38 significant digits).
    func multiplied(by other: ExactDecimal) -> ExactDecimal? {
        let (product, overflow) = significand.multipliedReportingOverflow(by: other.significand)
        guard !overflow else { return nil }
        return ExactDecimal(
            isNegative: isNegative != other.isNegative, significand: product, exponent: exponent + other.exponent)
    }

    static let one = ExactDecimal(significand: 1, exponent: 0)
}
