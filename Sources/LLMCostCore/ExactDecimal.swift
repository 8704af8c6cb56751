/// A decimal number held exactly: `significand × 10^exponent`.
///
/// Used wherever a decimal written by a person or a provider (a price, a cost) must survive
/// without the rounding a `Double` would add. At most 38 significant digits.
public struct ExactDecimal: Sendable, Hashable, CustomStringConvertible {
    public var isNegative: Bool
    public var significand: UInt128
    public var exponent: Int

    public init(isNegative: Bool = false, significand: UInt128, exponent: Int) {
        self.isNegative = isNegative && significand != 0
        self.significand = significand
        self.exponent = exponent
    }

    /// Parses `[-+]digits[.digits][e[-+]digits]`. Returns `nil` on anything else.
    public init?(_ text: some StringProtocol) {
        var bytes = Substring(text).utf8[...]
        guard !bytes.isEmpty else { return nil }
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var significand: UInt128 = 0
        var exponent = 0
        var digitCount = 0
        var sawPoint = false
        var significantDigits = 0
        while let byte = bytes.first {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digitCount += 1
                if significand != 0 || byte != UInt8(ascii: "0") { significantDigits += 1 }
                guard significantDigits <= 38 else { return nil }
                significand = significand * 10 + UInt128(byte - UInt8(ascii: "0"))
                if sawPoint { exponent -= 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            bytes = bytes.dropFirst()
        }
        guard digitCount > 0 else { return nil }
        if let marker = bytes.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var exponentNegative = false
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                exponentNegative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            var written = 0
            var exponentDigits = 0
            while let byte = bytes.first, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                written = written * 10 + Int(byte - UInt8(ascii: "0"))
                exponentDigits += 1
                guard written < 10_000 else { return nil }
                bytes = bytes.dropFirst()
            }
            guard exponentDigits > 0 else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard bytes.isEmpty else { return nil }
        self.init(isNegative: negative, significand: significand, exponent: exponent)
    }

    /// The value × 10^scale as an integer, rounded half to even; `nil` if it does not fit `Int64`.
    public func rounded(toScale scale: Int) -> Int64? {
        var magnitude = significand
        let shift = exponent + scale
        if shift >= 0 {
            for _ in 0..<shift {
                let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                magnitude = product
            }
        } else {
            let drop = -shift
            guard drop <= 38 else { return 0 }
            var divisor: UInt128 = 1
            for _ in 0..<drop { divisor *= 10 }
            let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: divisor)
            magnitude = quotient
            let twice = remainder * 2
            if twice > divisor || (twice == divisor && quotient % 2 == 1) { magnitude += 1 }
        }
        guard magnitude <= UInt128(Int64.max) else { return nil }
        return isNegative ? -Int64(magnitude) : Int64(magnitude)
    }

    /// The plain decimal form, without exponent and without trailing zeros after the point.
    public var description: String {
        var digits = String(significand)
        if exponent >= 0 {
            if significand != 0 { digits += String(repeating: "0", count: exponent) }
        } else {
            let places = -exponent
            if digits.count <= places {
                digits = String(repeating: "0", count: places - digits.count + 1) + digits
            }
            let pointIndex = digits.index(digits.endIndex, offsetBy: -places)
            var fraction = String(digits[pointIndex...])
            while fraction.hasSuffix("0") { fraction.removeLast() }
            digits = String(digits[..<pointIndex]) + (fraction.isEmpty ? "" : "." + fraction)
        }
        return (isNegative ? "-" : "") + digits
    }
}
