/// RFC 3339 / ISO 8601 timestamps as whole milliseconds since 1970 UTC.
///
/// Parsed and printed by hand on bytes: the ledger's round trip (export, import) must be exact
/// to the millisecond, and `ISO8601DateFormatter` is both slower and float-based.
public enum Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|±HH:MM|±HHMM)`. A space may stand for `T`;
    /// digits past milliseconds are truncated. Returns `nil` on anything else.
    public static func parseMilliseconds(_ text: some StringProtocol) -> Int64? {
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBufferPointer { parseMilliseconds(bytes: UnsafeBufferPointer($0)) }
    }

    /// Same as `parseMilliseconds(_:)`, on raw bytes.
    public static func parseMilliseconds(bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2),
            expect(UInt8(ascii: "-")), let day = digits(2)
        else { return nil }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t")
            || bytes[index] == UInt8(ascii: " ")
        else { return nil }
        index += 1
        guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2) else { return nil }
        var second = 0
        var millisecond = 0
        if expect(UInt8(ascii: ":")) {
            guard let parsedSecond = digits(2) else { return nil }
            second = parsedSecond
            if expect(UInt8(ascii: ".")) || expect(UInt8(ascii: ",")) {
                var fractionDigits = 0
                while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 {
                    if fractionDigits < 3 { millisecond = millisecond * 10 + Int(bytes[index] - 48) }
                    fractionDigits += 1
                    index += 1
                }
                guard fractionDigits > 0 else { return nil }
                for _ in fractionDigits..<max(fractionDigits, 3) { millisecond *= 10 }
            }
        }
        var offsetSeconds = 0
        if expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) {
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = digits(2) else { return nil }
            _ = expect(UInt8(ascii: ":"))
            guard let offsetMinutes = digits(2), offsetHours < 24, offsetMinutes < 60 else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 61
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetSeconds)
        return seconds * 1000 + Int64(millisecond)
    }

    /// Formats as `2026-11-20T10:00:00.123Z` (always milliseconds, always UTC).
    public static func format(milliseconds: Int64) -> String {
        let millisecond = Int(((milliseconds % 1000) + 1000) % 1000)
        let totalSeconds = (milliseconds - Int64(millisecond)) / 1000
        let secondOfDay = Int(((totalSeconds % 86_400) + 86_400) % 86_400)
        let days = Int((totalSeconds - Int64(secondOfDay)) / 86_400)
        let (year, month, day) = civilFromDays(days)
        guard (0...9999).contains(year) else {
            // Beyond four digits, ISO 8601's expanded form (`+12345-…`, `-0001-…`) instead of a trap.
            return (year < 0 ? "-" : "+") + String(format: "%06d-%02d-%02dT%02d:%02d:%02d.%03dZ", abs(year), month, day,
                secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60, millisecond)
        }
        // Written in place: a report prints two of these per row, hundreds of thousands of rows.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int, width: Int, at start: Int) {
                var remaining = value
                for position in stride(from: start + width - 1, through: start, by: -1) {
                    buffer[position] = UInt8(48 + remaining % 10)
                    remaining /= 10
                }
            }
            put(year, width: 4, at: 0); buffer[4] = UInt8(ascii: "-")
            put(month, width: 2, at: 5); buffer[7] = UInt8(ascii: "-")
            put(day, width: 2, at: 8); buffer[10] = UInt8(ascii: "T")
            put(secondOfDay / 3600, width: 2, at: 11); buffer[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, width: 2, at: 14); buffer[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, width: 2, at: 17); buffer[19] = UInt8(ascii: ".")
            put(millisecond, width: 3, at: 20); buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
