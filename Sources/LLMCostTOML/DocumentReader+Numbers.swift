/// Integers, floats, dates and times.
extension DocumentReader {
    /// At a digit, sign, `i` or `n`: an integer (decimal, `0x`, `0o`, `0b`) or a float.
    mutating func readNumber() throws(TOMLError) -> TOMLValue {
        let start = offset
        let startPosition = here()
        var negative = false
        if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            offset += 1
        }
        if peek() == UInt8(ascii: "i") || peek() == UInt8(ascii: "n") {
            let isInfinity = peek() == UInt8(ascii: "i")
            try expectWord(isInfinity ? "inf" : "nan")
            return .float(TOMLFloat(text: text(start..<offset), kind: isInfinity ? .infinity : .nan))
        }
        guard let first = peek(), Byte.isDigit(first) else {
            throw .expected("a digit, inf or nan after the sign", found: describe(offset), at: here())
        }
        if first == UInt8(ascii: "0"), let prefix = peek(1),
            prefix == UInt8(ascii: "x") || prefix == UInt8(ascii: "o") || prefix == UInt8(ascii: "b")
        {
            guard start == offset else {
                throw .unexpected("hexadecimal, octal and binary integers cannot have a sign", at: startPosition)
            }
            return .integer(try readPrefixedInteger(startPosition: startPosition))
        }
        if first == UInt8(ascii: "0") {
            offset += 1
            if let next = peek(), Byte.isDigit(next) || next == Byte.underscore {
                throw .unexpected("a decimal number cannot have leading zeros", at: startPosition)
            }
        } else {
            try skipDigits(Byte.isDigit, kind: "digits")
        }
        var isFloat = false
        if peek() == Byte.dot {
            offset += 1
            guard let digit = peek(), Byte.isDigit(digit) else {
                throw .expected("a digit after the decimal point", found: describe(offset), at: here())
            }
            try skipDigits(Byte.isDigit, kind: "digits")
            isFloat = true
        }
        if let marker = peek(), marker | 0x20 == UInt8(ascii: "e") {
            offset += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { offset += 1 }
            guard let digit = peek(), Byte.isDigit(digit) else {
                throw .expected("a digit in the exponent", found: describe(offset), at: here())
            }
            try skipDigits(Byte.isDigit, kind: "digits")
            isFloat = true
        }
        if isFloat {
            return .float(TOMLFloat(text: text(start..<offset), kind: .finite))
        }
        var value: Int64 = 0
        for index in start..<offset {
            let byte = bytes[index]
            guard Byte.isDigit(byte) else { continue }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowA, !overflowB else {
                throw .outOfRange(
                    "integer \(text(start..<offset)) is outside the 64-bit range (-9223372036854775808 to 9223372036854775807)",
                    at: startPosition)
            }
            value = next
        }
        return .integer(value)
    }

    /// At `0x`, `0o` or `0b`: a non-negative integer in that base.
    private mutating func readPrefixedInteger(startPosition: TOMLPosition) throws(TOMLError) -> Int64 {
        let start = offset
        let prefix = bytes[offset + 1]
        offset += 2
        let radix: Int64 = prefix == UInt8(ascii: "x") ? 16 : prefix == UInt8(ascii: "o") ? 8 : 2
        let name = radix == 16 ? "hexadecimal digits" : radix == 8 ? "octal digits" : "binary digits"
        let isDigit: (UInt8) -> Bool = { byte in
            guard let value = Self.hexValue(byte) else { return false }
            return Int64(value) < radix
        }
        guard let first = peek(), isDigit(first) else {
            throw .expected("\(name) after 0\(Character(Unicode.Scalar(prefix)))", found: describe(offset), at: here())
        }
        let digitsStart = offset
        try skipDigits(isDigit, kind: name)
        var value: Int64 = 0
        for index in digitsStart..<offset where bytes[index] != Byte.underscore {
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: radix)
            let (next, overflowB) = shifted.addingReportingOverflow(Int64(Self.hexValue(bytes[index]) ?? 0))
            guard !overflowA, !overflowB else {
                throw .outOfRange(
                    "integer \(text(start..<offset)) is above the 64-bit maximum (9223372036854775807)", at: startPosition)
            }
            value = next
        }
        return value
    }

    /// At a digit: digits, with single underscores allowed only between two digits.
    private mutating func skipDigits(_ isDigit: (UInt8) -> Bool, kind: String) throws(TOMLError) {
        while let byte = peek() {
            if isDigit(byte) {
                offset += 1
            } else if byte == Byte.underscore {
                guard let next = peek(1), isDigit(next) else {
                    throw .unexpected("'_' in a number must sit between two \(kind)", at: here())
                }
                offset += 1
            } else {
                return
            }
        }
    }

    /// The text of `range` without underscores.
    private func text(_ range: Range<Int>) -> String {
        var written: [UInt8] = []
        written.reserveCapacity(range.count)
        for index in range where bytes[index] != Byte.underscore { written.append(bytes[index]) }
        return String(decoding: written, as: UTF8.self)
    }

    /// At `YYYY-`: a local date, or a date-time (local or with an offset) when a time follows
    /// after `T`, `t` or a space.
    mutating func readDateOrDateTime() throws(TOMLError) -> TOMLValue {
        let start = offset
        let startPosition = here()
        let year = try readDigits(4, "a 4-digit year")
        try expect(UInt8(ascii: "-"), "'-' after the year")
        let month = try readDigits(2, "a 2-digit month")
        try expect(UInt8(ascii: "-"), "'-' after the month")
        let day = try readDigits(2, "a 2-digit day")
        guard let date = TOMLDate(year: year, month: month, day: day) else {
            throw .outOfRange(
                "\(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)) is not a calendar date (month 01-12, day within the month)",
                at: startPosition)
        }
        guard let separator = peek(),
            separator | 0x20 == UInt8(ascii: "t") || (separator == Byte.space && digits(at: offset + 1, count: 2) && peek(3) == Byte.colon)
        else { return .date(date) }
        offset += 1
        let time = try readTime()
        var offsetMinutes: Int?
        if let zone = peek() {
            if zone | 0x20 == UInt8(ascii: "z") {
                offset += 1
                offsetMinutes = 0
            } else if zone == UInt8(ascii: "+") || zone == UInt8(ascii: "-") {
                let zonePosition = here()
                offset += 1
                let hours = try readDigits(2, "a 2-digit hour in the offset")
                try expect(Byte.colon, "':' in the offset")
                let minutes = try readDigits(2, "2-digit minutes in the offset")
                guard hours <= 23, minutes <= 59 else {
                    throw .outOfRange("the offset must be within -23:59 and +23:59 (hours 00-23, minutes 00-59)", at: zonePosition)
                }
                offsetMinutes = (zone == UInt8(ascii: "-") ? -1 : 1) * (hours * 60 + minutes)
            }
        }
        return .dateTime(TOMLDateTime(date: date, time: time, offsetMinutes: offsetMinutes))
    }

    /// At `HH:`: a time with seconds (TOML 1.0 requires them) and any fraction of a second.
    mutating func readTime() throws(TOMLError) -> TOMLTime {
        let start = offset
        let startPosition = here()
        let hour = try readDigits(2, "a 2-digit hour")
        try expect(Byte.colon, "':' after the hour")
        let minute = try readDigits(2, "2-digit minutes")
        try expect(Byte.colon, "':' and seconds after the minutes (TOML 1.0 times need seconds)")
        let second = try readDigits(2, "2-digit seconds")
        var fraction = ""
        if peek() == Byte.dot {
            offset += 1
            let fractionStart = offset
            while let byte = peek(), Byte.isDigit(byte) { offset += 1 }
            guard offset > fractionStart else {
                throw .expected("digits after the decimal point of the seconds", found: describe(offset), at: here())
            }
            fraction = String(decoding: UnsafeBufferPointer(rebasing: bytes[fractionStart..<offset]), as: UTF8.self)
        }
        guard let time = TOMLTime(hour: hour, minute: minute, second: second, fraction: fraction) else {
            throw .outOfRange(
                "\(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)) is not a time of day (hours 00-23, minutes and seconds 00-59)",
                at: startPosition)
        }
        return time
    }

    private mutating func readDigits(_ count: Int, _ what: String) throws(TOMLError) -> Int {
        var value = 0
        for _ in 0..<count {
            guard let byte = peek(), Byte.isDigit(byte) else {
                throw .expected(what, found: describe(offset), at: here())
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            offset += 1
        }
        return value
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(TOMLError) {
        guard peek() == byte else { throw .expected(what, found: describe(offset), at: here()) }
        offset += 1
    }
}
