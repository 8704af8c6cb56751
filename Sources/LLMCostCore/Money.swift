/// An exact amount of US dollars, held as an integer count of nano-dollars (10⁻⁹ USD).
///
/// No binary floating point ever touches money: amounts are parsed from and printed as decimal
/// strings, and sums are integer sums, so a report's total equals the sum of its rows to the
/// last nano-dollar. The range (±9.2 billion USD) is far beyond any metered spend.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Nano-dollars per dollar.
    public static let unitsPerDollar: Int64 = 1_000_000_000
    /// Decimal places of the unit.
    public static let scale = 9

    /// The amount in nano-dollars.
    public var nanoUSD: Int64

    public init(nanoUSD: Int64) { self.nanoUSD = nanoUSD }

    public static let zero = Money(nanoUSD: 0)

    /// Parses a decimal USD amount such as `"1.234567891"`, `"12"`, `"-0.5"` or `"1e-3"`.
    ///
    /// More than nine decimal places are rounded half to even at the ninth, since nano-dollars
    /// are the ledger's unit. Returns `nil` for anything that is not a plain decimal number or
    /// that does not fit.
    public init?(decimalUSD text: some StringProtocol) {
        guard let decimal = ExactDecimal(text) else { return nil }
        guard let nano = decimal.rounded(toScale: Money.scale) else { return nil }
        self.nanoUSD = nano
    }

    /// The amount as a plain decimal string with nine decimal places: `"0.007722000"`.
    public var decimalString: String {
        let negative = nanoUSD < 0
        let magnitude = nanoUSD.magnitude
        let whole = magnitude / UInt64(Money.unitsPerDollar)
        let fraction = magnitude % UInt64(Money.unitsPerDollar)
        var fractionDigits = String(fraction)
        fractionDigits = String(repeating: "0", count: Money.scale - fractionDigits.count) + fractionDigits
        return (negative ? "-" : "") + String(whole) + "." + fractionDigits
    }

    /// A human-readable dollar amount, rounded half-up to `places` decimals: `"$1.23"`.
    public func formatted(places: Int = 2) -> String {
        precondition((0...Money.scale).contains(places), "places must be within 0...9")
        let divisor = Int64(pow10(Money.scale - places))
        let negative = nanoUSD < 0
        let magnitude = nanoUSD.magnitude
        let rounded = (magnitude + UInt64(divisor / 2)) / UInt64(divisor)
        let unit = UInt64(pow10(places))
        var text = "$" + groupThousands(String(rounded / unit))
        if places > 0 {
            let fraction = String(rounded % unit)
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return negative && rounded != 0 ? "-" + text : text
    }

    /// This amount as a share of `whole` in basis points (10,000 = 100%), rounded down; `nil`
    /// when `whole` is not positive. Computed wide, so no amount can overflow it.
    public func basisPoints(of whole: Money) -> Int64? {
        guard whole.nanoUSD > 0 else { return nil }
        return Int64(clamping: Int128(nanoUSD) * 10_000 / Int128(whole.nanoUSD))
    }

    public var description: String { decimalString }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.nanoUSD < rhs.nanoUSD }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(nanoUSD: lhs.nanoUSD + rhs.nanoUSD) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(nanoUSD: lhs.nanoUSD - rhs.nanoUSD) }
    public static func += (lhs: inout Money, rhs: Money) { lhs.nanoUSD += rhs.nanoUSD }
    public static func -= (lhs: inout Money, rhs: Money) { lhs.nanoUSD -= rhs.nanoUSD }

    // Encoded as the decimal string, so JSON never carries a float.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let money = Money(decimalUSD: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a decimal USD amount, got \"\(text)\"")
        }
        self = money
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(decimalString)
    }
}

private func pow10(_ exponent: Int) -> Int64 {
    var value: Int64 = 1
    for _ in 0..<exponent { value *= 10 }
    return value
}

private func groupThousands(_ digits: String) -> String {
    guard digits.count > 3 else { return digits }
    var out = ""
    for (offset, character) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 { out.append(",") }
        out.append(character)
    }
    return out
}
