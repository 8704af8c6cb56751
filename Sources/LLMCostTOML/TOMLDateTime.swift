/// A calendar date, checked: month 1-12, day within the month (leap years included).
public struct TOMLDate: Sendable, Hashable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// `nil` unless the date exists in the proleptic Gregorian calendar (years 0-9999).
    public init?(year: Int, month: Int, day: Int) {
        guard (0...9999).contains(year), (1...12).contains(month),
            (1...TOMLDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `YYYY-MM-DD`.
    public var description: String { pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) }
}

/// A time of day, checked: hour 0-23, minute 0-59, second 0-59, with the fraction of a second
/// kept as its written digits (any precision).
public struct TOMLTime: Sendable, Hashable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Digits after the decimal point as written (`"999"` for `.999`), empty when there are none.
    public var fraction: String

    /// `nil` unless every field is in range and `fraction` is only digits.
    public init?(hour: Int, minute: Int, second: Int, fraction: String = "") {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
            fraction.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        self.hour = hour
        self.minute = minute
        self.second = second
        self.fraction = fraction
    }

    /// `HH:MM:SS[.fraction]`.
    public var description: String {
        pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2) + (fraction.isEmpty ? "" : "." + fraction)
    }
}

/// A date and time, with an offset from UTC (an offset date-time) or without (a local one).
public struct TOMLDateTime: Sendable, Hashable, CustomStringConvertible {
    public var date: TOMLDate
    public var time: TOMLTime
    /// Minutes east of UTC (`Z` is 0, `-07:00` is -420); `nil` for a local date-time.
    public var offsetMinutes: Int?

    public init(date: TOMLDate, time: TOMLTime, offsetMinutes: Int?) {
        self.date = date
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// RFC 3339: `1979-05-27T07:32:00-07:00`, `Z` for a zero offset, no offset when local.
    public var description: String {
        var text = date.description + "T" + time.description
        if let offsetMinutes {
            if offsetMinutes == 0 {
                text += "Z"
            } else {
                text += (offsetMinutes < 0 ? "-" : "+") + pad(abs(offsetMinutes) / 60, 2) + ":" + pad(abs(offsetMinutes) % 60, 2)
            }
        }
        return text
    }
}

/// `value` in decimal, left-padded with zeros to `width` digits.
private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
