/// Unicode classes the split patterns test, as bit flags per scalar.
///
/// The regexes ask only a handful of questions (`\p{L}`, `\p{N}`, `\s`, the o200k case groups,
/// `[\r\n]`), so one byte per scalar answers all of them. The Basic Multilingual Plane is
/// tabulated once (64 KiB, built from `Unicode.Scalar.Properties` in about a millisecond);
/// rarer supplementary scalars are classified on the fly.
enum CharacterClasses {
    /// `\p{L}`: any letter.
    static let letter: UInt8 = 1
    /// `\p{N}`: any number.
    static let number: UInt8 = 2
    /// o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`: upper-case-like.
    static let upperLike: UInt8 = 4
    /// o200k's `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`: lower-case-like.
    static let lowerLike: UInt8 = 8
    /// `\s`: the Unicode White_Space property, as the Rust regex crate defines `\s`.
    static let whitespace: UInt8 = 16
    /// `[\r\n]`: carriage return or line feed only.
    static let newline: UInt8 = 32

    /// Class bits for every scalar below U+10000. Never freed: it lives as long as the process.
    nonisolated(unsafe) static let basicPlane: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x10000)
        for value in 0..<0x10000 {
            // Surrogate code points are not scalars; they never occur in valid UTF-8.
            table[value] = Unicode.Scalar(UInt32(value)).map(compute) ?? 0
        }
        return UnsafePointer(table)
    }()

    @inline(__always)
    static func classify(_ value: UInt32) -> UInt8 {
        if value < 0x10000 { return basicPlane[Int(value)] }
        return Unicode.Scalar(value).map(compute) ?? 0
    }

    /// The Unicode version of tiktoken 0.14.0's regex engine (regex-syntax). Scalars assigned
    /// later (Swift's tables may be newer) are unassigned there, so they are classless here.
    static let regexUnicodeVersion = (major: 16, minor: 0)

    static func compute(_ scalar: Unicode.Scalar) -> UInt8 {
        guard let age = scalar.properties.age,
            age.major < regexUnicodeVersion.major
                || (age.major == regexUnicodeVersion.major && age.minor <= regexUnicodeVersion.minor)
        else { return 0 }
        var bits: UInt8 = 0
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter:
            bits = letter | upperLike
        case .lowercaseLetter:
            bits = letter | lowerLike
        case .modifierLetter, .otherLetter:
            bits = letter | upperLike | lowerLike
        case .nonspacingMark, .spacingMark, .enclosingMark:
            bits = upperLike | lowerLike
        case .decimalNumber, .letterNumber, .otherNumber:
            bits = number
        default:
            bits = 0
        }
        if scalar.properties.isWhitespace { bits |= whitespace }
        if scalar.value == 0x0A || scalar.value == 0x0D { bits |= newline }
        return bits
    }
}
